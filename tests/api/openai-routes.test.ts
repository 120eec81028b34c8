import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOpenAiRouter } from '../../src/api/openai-routes.js';
import type { LlmBackend } from '../../src/model/index.js';
import { createOnnxBackend } from '../../src/model/onnx-backend.js';
import { createOpenAiBackend } from '../../src/model/openai-backend.js';
import { silentLogger } from '../helpers/logs.js';
import { testConfig } from '../helpers/test-config.js';
import { tinyModelDir } from '../helpers/tiny-model.js';

const SCRIPT = 'SELECT COUNT(*) FROM concert';
const servers: http.Server[] = [];

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function post(base: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** Wraps a real backend and records how each stream ended (completed, or the error's name). */
function observed(backend: LlmBackend): { backend: LlmBackend; outcomes: string[] } {
  const outcomes: string[] = [];
  return {
    outcomes,
    backend: {
      ...backend,
      async *stream(messages, opts) {
        try {
          const result = yield* backend.stream(messages, opts);
          outcomes.push('completed');
          return result;
        } catch (err) {
          outcomes.push((err as Error).name);
          throw err;
        }
      },
    },
  };
}

const user = [{ role: 'user', content: 'How many concerts?' }];
let scripted: LlmBackend;
let random: LlmBackend;
let base: string;
let randomBase: string;
let randomOutcomes: string[];

describe('OpenAI-compatible routes over the local model', () => {
  beforeAll(async () => {
    scripted = await createOnnxBackend(testConfig({ MODEL_DIR: tinyModelDir({ script: SCRIPT }, 'tiny-sql').dir }).model, silentLogger());
    random = await createOnnxBackend(testConfig({ MODEL_DIR: tinyModelDir({}, 'tiny-random').dir }).model, silentLogger());
    base = await serve(express().use(createOpenAiRouter(scripted)));
    const watched = observed(random);
    randomOutcomes = watched.outcomes;
    randomBase = await serve(express().use(createOpenAiRouter(watched.backend)));
  });
  afterAll(async () => {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await scripted?.close();
    await random?.close();
  });

  it('lists the local model on GET /v1/models', async () => {
    const res = await fetch(`${base}/v1/models`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ object: 'list', data: [{ id: 'tiny-sql', object: 'model', created: 0, owned_by: 'sql-repair-env' }] });
  });

  it('answers a chat completion in the OpenAI shape with usage', async () => {
    const res = await post(base, { model: 'tiny-sql', messages: user });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    const direct = await scripted.chat([{ role: 'user', content: 'How many concerts?' }]);
    expect(body).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'tiny-sql',
      choices: [{ index: 0, message: { role: 'assistant', content: SCRIPT }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: direct.promptTokens, completion_tokens: direct.completionTokens, total_tokens: direct.promptTokens + direct.completionTokens },
    });
  });

  it('streams SSE chunks: the role, one frame per text chunk, the finish reason, usage, then [DONE]', async () => {
    const res = await post(base, { messages: user, stream: true, stream_options: { include_usage: true }, stop: ' FROM' });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const frames = text.split('\n\n').filter((f) => f !== '');
    expect(frames.every((f) => f.startsWith('data: '))).toBe(true);
    const events = frames.slice(0, -1).map((f) => JSON.parse(f.slice(6)) as { id: string; choices: { delta: Record<string, string>; finish_reason: string | null }[]; usage?: unknown });
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(events[0]?.choices[0]).toMatchObject({ delta: { role: 'assistant', content: '' }, finish_reason: null });
    const contents = events.slice(1, -2).map((e) => e.choices[0]?.delta['content']);
    expect(contents).toEqual(['SELECT', ' COUNT', '(*)']);
    expect(events.at(-2)?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(events.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 4 } });
  });

  it.each([
    ['no messages', { model: 'x' }, 'messages'],
    ['an empty message list', { messages: [] }, 'messages'],
    ['an unknown role', { messages: [{ role: 'robot', content: 'hi' }] }, 'messages.0.role'],
    ['a temperature above 2', { messages: user, temperature: 5 }, 'temperature'],
    ['more than one choice', { messages: user, n: 2 }, 'n'],
  ])('refuses %s with 400 and an OpenAI-style error naming the field', async (_name, body, param) => {
    const res = await post(base, body);
    expect(res.status).toBe(400);
    const payload = (await res.json()) as { error: { type: string; param: string; message: string } };
    expect(payload.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(payload.error.message).toMatch(/^Invalid request: /);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const res = await post(base, '{"messages": [');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: 'The request body is not valid JSON', type: 'invalid_request_error', param: null, code: null } });
  });

  it('cancels the generation when the client disconnects mid-stream', async () => {
    const controller = new AbortController();
    const res = await post(randomBase, { messages: user, stream: true, max_tokens: 100_000 }, { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.read();
    controller.abort();
    await vi.waitFor(() => expect(randomOutcomes).toEqual(['AbortError']), { timeout: 10_000 });
  });

  it('maps a model timeout behind the route to 504 with the error message', async () => {
    const hanging = await serve(() => undefined);
    const remote = createOpenAiBackend(testConfig({ LLM_BASE_URL: `${hanging}/v1`, LLM_TIMEOUT_MS: '200', LLM_MAX_RETRIES: '0' }).model, silentLogger());
    const proxy = await serve(express().use(createOpenAiRouter(remote)));
    const res = await post(proxy, { messages: user });
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ error: { message: 'The model did not answer within 200 ms', type: 'model_timeout', param: null, code: null } });
  });

  it('ends a stream whose model fails with an error frame, then [DONE]', async () => {
    const refusing = await serve((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"no such key"}}');
    });
    const remote = createOpenAiBackend(testConfig({ LLM_BASE_URL: `${refusing}/v1`, LLM_MAX_RETRIES: '0' }).model, silentLogger());
    const proxy = await serve(express().use(createOpenAiRouter(remote)));
    const text = await (await post(proxy, { messages: user, stream: true })).text();
    const frames = text.split('\n\n').filter((f) => f !== '');
    expect(frames).toHaveLength(3);
    expect(JSON.parse(frames[1]?.slice(6) ?? '')).toEqual({
      error: { message: `The model endpoint ${refusing}/v1 rejected the credentials (HTTP 401: no such key). Check LLM_API_KEY.`, type: 'model_auth', param: null, code: null },
    });
    expect(frames[2]).toBe('data: [DONE]');
  });
});
