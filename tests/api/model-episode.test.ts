import { beforeAll, describe, expect, it } from 'vitest';
import { HttpEnvClient } from '../../src/client/index.js';
import type { StepEvent } from '../../src/env/index.js';
import { getJson, startTestService, type TestService } from '../helpers/server.js';
import { tinyModelDir } from '../helpers/tiny-model.js';

const ANSWER = '```sql\nSELECT COUNT(*) FROM customers;\n```';

let svc: TestService;
beforeAll(async () => {
  const model = tinyModelDir({ script: ANSWER });
  svc = await startTestService({ MODEL_DIR: model.dir });
});

describe('an episode whose SQL the tiny local model writes', () => {
  it('streams the generated SQL chunk by chunk, executes it and succeeds', async () => {
    const client = new HttpEnvClient({ baseUrl: svc.baseUrl });
    await client.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01', episode_id: 'model-1' });
    const events: StepEvent[] = [];
    const stream = client.stepStream({ repair_action: 'auto' }, 'model-1');
    let next = await stream.next();
    while (next.done !== true) {
      events.push(next.value);
      next = await stream.next();
    }
    const chunks = events.filter((e): e is Extract<StepEvent, { type: 'sql_chunk' }> => e.type === 'sql_chunk');
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.text).join('')).toBe(ANSWER);
    expect(events.find((e) => e.type === 'attempt_start')).toMatchObject({ arm: 'generate', source: 'model' });
    expect(events.find((e) => e.type === 'sql_complete')).toEqual({ type: 'sql_complete', sql: 'SELECT COUNT(*) FROM customers' });
    expect(next.value).toMatchObject({ done: true, reward: 0.95, observation: { success: true, current_sql: 'SELECT COUNT(*) FROM customers' } });
  });

  it('writes a repair with the recommended arm after a failed agent attempt', async () => {
    const client = new HttpEnvClient({ baseUrl: svc.baseUrl });
    await client.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01', episode_id: 'model-2' });
    const failed = await client.step({ custom_sql: 'SELECT COUNT(*) FROM custmers' }, 'model-2');
    const arm = failed.observation.recommendation?.arm;
    expect(arm).toBeDefined();
    const repaired = await client.step({ repair_action: 'auto' }, 'model-2');
    expect(repaired.observation).toMatchObject({ success: true, attempt_number: 2 });
    const policy = await getJson(svc.baseUrl, '/policy');
    expect(policy.body.by_error_class).toEqual(expect.arrayContaining([expect.objectContaining({ error_class: 'UNKNOWN_TABLE', arm, rewarded: 1, mean_reward: expect.any(Number) })]));
  });

  it('serves the local model on the OpenAI-compatible endpoint and shows it in /metrics', async () => {
    const models = await getJson(svc.baseUrl, '/v1/models');
    expect(models.status).toBe(200);
    expect(models.body.data[0].id).toBeTypeOf('string');
    const metrics = await (await fetch(`${svc.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/sre_model_info\{backend="onnx",model="[^"]+",device="cpu"\} 1/);
  });
});
