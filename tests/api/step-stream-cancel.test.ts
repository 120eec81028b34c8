import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpEnvClient } from '../../src/client/index.js';
import type { StepEvent } from '../../src/env/index.js';
import { getJson, startTestService, type TestService } from '../helpers/server.js';

/**
 * A stand-in for a paid OpenAI-compatible model that streams `SELECT ` pieces every 20 ms and never finishes,
 * counting the requests whose client hung up before the end.
 */
async function endlessStreamingModel() {
  const state = { requests: 0, hangUps: 0 };
  const server = http.createServer((req, res) => {
    state.requests += 1;
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'endless', choices: [{ index: 0, delta: { content: 'SELECT ' }, finish_reason: null }] };
    const timer = setInterval(() => res.write(`data: ${JSON.stringify(chunk)}\n\n`), 20);
    res.on('close', () => {
      clearInterval(timer);
      if (!res.writableEnded) state.hangUps += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, state, server };
}

let model: Awaited<ReturnType<typeof endlessStreamingModel>>;
let svc: TestService;
beforeAll(async () => {
  model = await endlessStreamingModel();
  svc = await startTestService({ MODEL_BACKEND: 'openai', LLM_BASE_URL: model.url, LLM_API_KEY: 'sk-test', LLM_MODEL: 'endless', LLM_MAX_RETRIES: '0' });
});
afterAll(() => {
  model.server.closeAllConnections();
  model.server.close();
});

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
