import { beforeAll, describe, expect, it } from 'vitest';
import { WsEnvClient } from '../../src/client/index.js';
import { startTestService, type TestService } from '../helpers/server.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ MAX_CONCURRENT_ENVS: '256' });
});

describe('200 concurrent WebSocket episodes', () => {
  it('keeps every episode to its own question, SQL and results', async () => {
    const count = 200;
    const runs = Array.from({ length: count }, async (_, i) => {
      const client = await WsEnvClient.connect(svc.baseUrl);
      try {
        const reset = await client.reset({ task_id: 'join_queries', seed: i, episode_id: `conc-${i}` });
        const first = await client.step({ custom_sql: `SELECT ${i} AS n, '${reset.observation.question_id}' AS q` });
        const second = await client.step({ custom_sql: `SELECT ${i * 2} AS n` });
        const state = await client.state();
        return { i, reset, first, second, state };
      } finally {
        await client.close();
      }
    });
    const results = await Promise.all(runs);
    for (const { i, reset, first, second, state } of results) {
      expect(reset.observation.episode_id).toBe(`conc-${i}`);
      expect(first.observation.episode_id).toBe(`conc-${i}`);
      expect(first.observation.result?.rows).toEqual([[i, reset.observation.question_id]]);
      expect(first.observation.question_id).toBe(reset.observation.question_id);
      expect(second.observation.result?.rows).toEqual([[i * 2]]);
      expect(second.observation.attempt_number).toBe(2);
      expect(state).toMatchObject({ episode_id: `conc-${i}`, step_count: 2 });
    }
  });
});

describe('a runaway query among other episodes', () => {
  let single: TestService;
  beforeAll(async () => {
    single = await startTestService({ SQL_WORKERS: '1', SQL_SLOW_MS: '50', SQL_TIMEOUT_MS: '5000' });
  });

  it('does not hold up the others: with one SQL worker, another episode plays to the end while it runs', async () => {
    const order: string[] = [];
    const hostile = await WsEnvClient.connect(single.baseUrl);
    await hostile.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01' });
    const runaway = hostile
      .step({ custom_sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r' })
      .finally(() => order.push('runaway'));
    const other = await WsEnvClient.connect(single.baseUrl);
    await other.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01' });
    const steps = [];
    for (const sql of ['SELECT COUNT(*) FROM orders', 'SELECT COUNT(*) FROM customers']) steps.push(await other.step({ custom_sql: sql }));
    order.push('other episode done');
    expect(steps.map((s) => s.done)).toEqual([false, true]);
    expect(steps[1]?.observation.success).toBe(true);
    expect((await runaway).observation).toMatchObject({ error_class: 'TIMEOUT', success: false });
    expect(order).toEqual(['other episode done', 'runaway']);
    await Promise.all([hostile.close(), other.close()]);
  }, 30_000);
});
