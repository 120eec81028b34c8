import path from 'node:path';
import type { PolicyConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { createPgPolicyStore } from './pg-policy-store.js';
import type { CommitObserver, PolicyStore } from './policy-store.js';
import { createSqlitePolicyStore } from './sqlite-policy-store.js';

/** The SQLite policy file inside DATA_DIR when POLICY_STORE_URL is not set. */
export const POLICY_SQLITE_FILE = 'policy.sqlite';

/**
 * PostgreSQL when POLICY_STORE_URL is set (processes share one policy), else a WAL SQLite file under dataDir.
 * `onCommit` is told of each write transaction of the log.
 */
export function createPolicyStore(
  policy: Pick<PolicyConfig, 'storeUrl'> & Partial<Pick<PolicyConfig, 'storeSync' | 'storeSchema'>>,
  dataDir: string,
  log: Logger,
  onCommit?: CommitObserver,
): PolicyStore {
  if (policy.storeUrl !== undefined) return createPgPolicyStore({ connectionString: policy.storeUrl, schema: policy.storeSchema, log, onCommit });
  // why: in WAL mode synchronous=NORMAL survives a killed process (SIGKILL) and only an OS crash can lose the last
  // commits; FULL fsyncs every event (~5 ms each), which caps the whole service at a few hundred steps/s.
  return createSqlitePolicyStore({ filePath: path.join(dataDir, POLICY_SQLITE_FILE), synchronous: policy.storeSync === 'full' ? 'FULL' : 'NORMAL', onCommit });
}
