import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpEnvClient } from '../../src/client/index.js';
import type { StepEvent } from '../../src/env/index.js';
import { startEndlessModel, type EndlessModel } from '../helpers/endless-model.js';
import { getJson, startTestService, type TestService } from '../helpers/server.js';

let model: EndlessModel;
let svc: TestService;
beforeAll(async () => {
  model = await startEndlessModel();
  svc = await startTestService(model.serviceEnv);
});
afterAll(() => model.close());

describe('a /step/stream client that disconnects mid-generation', () => {
  it('cancels the model call, leaves the episode where it was, and the next step is the same attempt', async () => {
    const client = new HttpEnvClient({ baseUrl: svc.baseUrl });
    await client.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01', episode_id: 'stop-1' });
    const controller = new AbortController();
    const seen: StepEvent['type'][] = [];
    const reading = (async () => {
      for await (const event of client.stepStream({ repair_action: 'generate' }, 'stop-1', controller.signal)) {
        seen.push(event.type);
        if (event.type === 'sql_chunk') controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual(['attempt_start', 'sql_chunk']);

    await vi.waitFor(() => expect(model.state.hangUps).toBe(1), { timeout: 10_000 });
    const state = await getJson(svc.baseUrl, '/state?episode_id=stop-1');
    expect(state.body).toMatchObject({ episode_id: 'stop-1', step_count: 0, attempt: 0, done: false });

    const next = await client.step({ custom_sql: 'SELECT COUNT(*) FROM customers' }, 'stop-1');
    expect(next.observation).toMatchObject({ attempt_number: 1, success: true });
    expect(model.state.requests).toBe(1);
    const metrics = await (await fetch(`${svc.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/sre_steps_total\{transport="sse",outcome="error"\} 1/);
  });
});
