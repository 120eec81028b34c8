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
