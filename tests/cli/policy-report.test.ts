import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLinUcbPolicy } from '../../src/rl/policy.js';
import { createRng } from '../../src/rl/rng.js';
import { createSqlitePolicyStore } from '../../src/rl/store/sqlite-policy-store.js';
import { silentLogger } from '../helpers/logs.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { SYN_ARMS, SYN_CLASSES, SYN_MEANS } from '../rl/synthetic-log.js';

const run = promisify(execFile);
const CLI = path.join(import.meta.dirname, '../../src/cli/policy-report.ts');
const dir = tmpDir('sre-report-');
const filePath = path.join(dir, 'policy.sqlite');
let policyKey = '';

/** 120 decisions of a real LinUCB policy on the synthetic world, episode e0 (reward 0 then a success) relabelled. */
beforeAll(async () => {
  const store = createSqlitePolicyStore({ filePath, synchronous: 'NORMAL' });
  const policy = await createLinUcbPolicy({
    armNames: SYN_ARMS, d: 4, featureSchemaHash: 'syn', alpha: 1, epsilon: 0.3, seed: 4, rewardTtlMs: 60_000, store, log: silentLogger(),
  });
  policyKey = policy.policyKey;
  const rng = createRng(12);
  for (let i = 0; i < 120; i++) {
    const c = i % 3;
    const x = Float64Array.from([1, c === 0 ? 1 : 0, c === 1 ? 1 : 0, c === 2 ? 1 : 0]);
    const d = await policy.decide({ x, episodeId: `e${Math.floor(i / 2)}`, meta: { errorClass: SYN_CLASSES[c] } });
    const isSuccess = rng.next() < (SYN_MEANS[c]?.[d.armIndex] ?? 0);
    await policy.reward(d.decisionId, i === 0 ? 0 : Number(isSuccess));
  }
  await policy.endEpisode('e0', { isSuccess: true });
  await store.close();
});

describe('policy:report CLI', () => {
  it('prints the value table, the paired comparison and arm usage for a SQLite log', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, '--sqlite', filePath, '--bootstrap', '50']);
    expect(stdout).toMatch(new RegExp(`^Policy ${policyKey}: 120 decisions, 120 rewarded, 0 pending, 1 hindsight relabels$`, 'm'));
    expect(stdout).toMatch(/^learned − fixed\s+\d+\.\d%/m);
    expect(stdout).toMatch(/^UNKNOWN_COLUMN\s+\d+ \(/m);
  });

  it('emits the report as JSON with --json', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, '--sqlite', filePath, '--bootstrap', '20', '--json']);
    const report = JSON.parse(stdout) as { policyKey: string; rewarded: number; values: { policy: string }[] };
    expect(report.policyKey).toBe(policyKey);
    expect(report.rewarded).toBe(120);
    expect(report.values.map((v) => v.policy)).toEqual(['logging', 'learned', 'fixed', 'uniform']);
  });

  it('fails with exit code 1 and a message when the log does not exist', async () => {
    const error = await run(process.execPath, ['--import', 'tsx', CLI, '--sqlite', path.join(dir, 'missing.sqlite')]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 1, stderr: expect.stringContaining('no policy log at') as unknown });
  });
});
