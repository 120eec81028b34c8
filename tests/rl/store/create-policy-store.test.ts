import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPolicyStore, POLICY_SQLITE_FILE } from '../../../src/rl/store/create-policy-store.js';
import { silentLogger } from '../../helpers/logs.js';
import { testConfig } from '../../helpers/test-config.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('createPolicyStore', () => {
  it('opens a SQLite file under the data dir when POLICY_STORE_URL is unset', async () => {
    const dataDir = path.join(tmpDir('sre-store-factory-'), 'nested');
    const config = testConfig({ DATA_DIR: dataDir });
    const store = createPolicyStore(config.policy, config.dataDir, silentLogger());
    expect(store.kind).toBe('sqlite');
    expect(fs.existsSync(path.join(dataDir, POLICY_SQLITE_FILE))).toBe(true);
    await store.close();
  });

  it('uses PostgreSQL when POLICY_STORE_URL is set', async () => {
    const config = testConfig({ POLICY_STORE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
    const store = createPolicyStore(config.policy, config.dataDir, silentLogger());
    expect(store.kind).toBe('postgres');
    await store.close();
  });
});
