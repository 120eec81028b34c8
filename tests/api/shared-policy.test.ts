import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { builtinGold } from '../helpers/builtin-gold.js';
import { describePg, PG_TEST_URL, uniqueSchema } from '../helpers/pg.js';
import { getJson, postJson } from '../helpers/server.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const ROOT = path.join(import.meta.dirname, '..', '..');

/** Starts `src/main.ts` as its own process and resolves with its base URL once it logs that it listens. */
function startServerProcess(env: Record<string, string>): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SQL_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { port?: number; msg?: string };
      if (entry.port !== undefined && entry.msg?.includes('listening') === true) resolve({ child, baseUrl: `http://127.0.0.1:${entry.port}` });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
}

describePg('two server processes sharing one PostgreSQL policy store', () => {
  const schema = uniqueSchema('policy_shared');
  const children: ChildProcess[] = [];
  let a: string;
  let b: string;

  beforeAll(async () => {
    const env = { POLICY_STORE_URL: PG_TEST_URL, POLICY_STORE_SCHEMA: schema };
    const [first, second] = await Promise.all([
      startServerProcess({ ...env, DATA_DIR: tmpDir('sre-a-') }),
      startServerProcess({ ...env, DATA_DIR: tmpDir('sre-b-') }),
    ]);
    children.push(first.child, second.child);
    a = first.baseUrl;
    b = second.baseUrl;
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    const client = new pg.Client({ connectionString: PG_TEST_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('shows a decision rewarded through one process in the other', async () => {
    const before = await getJson(b, '/policy');
    await postJson(a, '/reset', { task_id: 'simple_queries', question_id: 'simple_queries/01', episode_id: 'shared-1' });
    const failed = await postJson(a, '/step', { action: { custom_sql: 'SELECT COUNT(*) FROM custmers' }, episode_id: 'shared-1' });
    const arm = failed.body.observation.recommendation.arm as string;
    const solved = await postJson(a, '/step', { action: { custom_sql: builtinGold('simple_queries/01') }, episode_id: 'shared-1' });
    expect(solved.body.observation.success).toBe(true);

    const after = await getJson(b, '/policy');
    expect(after.body.learned.rewards).toBe(before.body.learned.rewards + 1);
    const armIndex = (after.body.arms as string[]).indexOf(arm);
    expect(after.body.learned.per_arm_n[armIndex]).toBe(before.body.learned.per_arm_n[armIndex] + 1);
    expect(after.body.by_error_class).toEqual(expect.arrayContaining([expect.objectContaining({ error_class: 'UNKNOWN_TABLE', arm, rewarded: 1 })]));
  });
});
