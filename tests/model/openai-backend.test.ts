import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiRouter } from '../../src/api/openai-routes.js';
import { ModelAuthError, ModelBadResponseError, ModelRateLimitedError, ModelTimeoutError, ModelUnavailableError } from '../../src/errors.js';
import type { ChatMessage, LlmBackend } from '../../src/model/index.js';
import { createOnnxBackend } from '../../src/model/onnx-backend.js';
import { createOpenAiBackend } from '../../src/model/openai-backend.js';
import { memoryLogger, silentLogger } from '../helpers/logs.js';
import { testConfig } from '../helpers/test-config.js';
import { tinyModelDir } from '../helpers/tiny-model.js';

const KEY = 'sk-test-9f8e7d6c5b4a';
const SCRIPT = 'SELECT name FROM singer ORDER BY age DESC';
const messages: ChatMessage[] = [{ role: 'user', content: 'Singer names, oldest first?' }];

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, hit: number) => void;

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

/** A raw node:http endpoint; `hits` counts requests and `auth` records the Authorization headers. */
async function rawEndpoint(handler: Handler) {
  const state = { hits: 0, auth: [] as string[] };
  const server = http.createServer((req, res) => {
    state.hits++;
    state.auth.push(req.headers.authorization ?? '');
    req.resume();
    req.on('end', () => handler(req, res, state.hits));
  });
  const url = await listen(server);
  servers.push(server);
  return { url, state };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const completion = { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'SELECT 1' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } };

function remote(url: string, extra: Record<string, string> = {}, log = silentLogger()): LlmBackend {
  return createOpenAiBackend(testConfig({ LLM_BASE_URL: url, LLM_API_KEY: KEY, LLM_MODEL: 'tiny', LLM_MAX_RETRIES: '0', ...extra }).model, log);
}

/** The error a call rejects with; fails the test if it resolves. */
async function failure(call: Promise<unknown>): Promise<Error> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err as Error,
  );
}

const servers: http.Server[] = [];
let local: LlmBackend;
let localUrl: string;

describe('openai backend against the local OpenAI-compatible endpoint (real HTTP)', () => {
  beforeAll(async () => {
    local = await createOnnxBackend(testConfig({ MODEL_DIR: tinyModelDir({ script: SCRIPT }, 'tiny').dir }).model, silentLogger());
    const app = express().use(createOpenAiRouter(local));
    const server = http.createServer(app);
    servers.push(server);
    localUrl = await listen(server);
  });
  afterAll(async () => {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await local?.close();
  });

  it('gets the local model answer with the same token counts as an in-process call', async () => {
    const result = await remote(localUrl).chat(messages);
    expect(result).toEqual(await local.chat(messages));
    expect(result.text).toBe(SCRIPT);
  });

  it('streams the answer chunk by chunk and returns the endpoint-reported usage', async () => {
    const gen = remote(localUrl).stream(messages);
    const chunks: string[] = [];
    let step = await gen.next();
    for (; step.done !== true; step = await gen.next()) chunks.push(step.value);
    expect(chunks.join('')).toBe(SCRIPT);
    expect(chunks.length).toBeGreaterThan(3);
    expect(step.value).toEqual(await local.chat(messages));
  });

  it('passes stop strings and max tokens through to the endpoint', async () => {
    const backend = remote(localUrl);
    expect(await backend.chat(messages, { stop: [' ORDER'] })).toMatchObject({ text: 'SELECT name FROM singer', finishReason: 'stop' });
    expect(await backend.chat(messages, { maxTokens: 2 })).toMatchObject({ text: 'SELECT name', finishReason: 'length', completionTokens: 2 });
  });

  it('cancels a streaming call with an AbortError', async () => {
    const controller = new AbortController();
    const gen = remote(localUrl).stream(messages, { signal: controller.signal });
    await gen.next();
    controller.abort();
    await expect(gen.next()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('sends the key as a bearer token', async () => {
    const { url, state } = await rawEndpoint((_req, res) => json(res, 200, completion));
    await remote(url).chat(messages);
    expect(state.auth).toEqual([`Bearer ${KEY}`]);
  });

  it('reports a 401 as ModelAuthError naming the endpoint, without the key', async () => {
    const { url } = await rawEndpoint((_req, res) => json(res, 401, { error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error' } }));
    const err = await failure(remote(url).chat(messages));
    expect(err).toBeInstanceOf(ModelAuthError);
    expect(err.message).toBe(`The model endpoint ${url} rejected the credentials (HTTP 401: Incorrect API key provided: ***). Check LLM_API_KEY.`);
  });

  it('reports a malformed JSON answer as ModelBadResponseError', async () => {
    const { url } = await rawEndpoint((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [oops'));
    const err = await failure(remote(url).chat(messages));
    expect(err).toBeInstanceOf(ModelBadResponseError);
    expect(err.message).toMatch(new RegExp(`^The model endpoint ${url} sent a malformed answer`));
  });

  it('reports a JSON answer without choices as ModelBadResponseError', async () => {
    const { url } = await rawEndpoint((_req, res) => json(res, 200, { hello: 'world' }));
    await expect(remote(url).chat(messages)).rejects.toThrow(`The model endpoint ${url} sent a malformed answer (no choices[0].message.content)`);
  });

  it('retries a 500 and succeeds on the next attempt', async () => {
    const { url, state } = await rawEndpoint((_req, res, hit) =>
      hit === 1 ? json(res, 500, { error: { message: 'overloaded' } }, { 'retry-after-ms': '5' }) : json(res, 200, completion),
    );
    const result = await remote(url, { LLM_MAX_RETRIES: '2' }).chat(messages);
    expect(result).toEqual({ text: 'SELECT 1', promptTokens: 3, completionTokens: 2, finishReason: 'stop' });
    expect(state.hits).toBe(2);
  });

  it('gives up on a persistent 429 after the configured retries with ModelRateLimitedError', async () => {
    const { url, state } = await rawEndpoint((_req, res) => json(res, 429, { error: { message: 'slow down' } }, { 'retry-after-ms': '5' }));
    const err = await failure(remote(url, { LLM_MAX_RETRIES: '2' }).chat(messages));
    expect(err).toBeInstanceOf(ModelRateLimitedError);
    expect(err.message).toBe(`The model endpoint ${url} is rate-limiting requests (HTTP 429 after 2 retries: slow down)`);
    expect(state.hits).toBe(3);
  });

  it('reports an endpoint that never answers as ModelTimeoutError', async () => {
    const { url } = await rawEndpoint(() => undefined);
    const err = await failure(remote(url, { LLM_TIMEOUT_MS: '300' }).chat(messages));
    expect(err).toBeInstanceOf(ModelTimeoutError);
    expect(err.message).toBe('The model did not answer within 300 ms');
  });

  it('reports a closed port as ModelUnavailableError saying the connection was refused', async () => {
    const server = http.createServer();
    const url = await listen(server);
    await new Promise((r) => server.close(r));
    const err = await failure(remote(url).chat(messages));
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect(err.message).toBe(`Cannot reach the model endpoint ${url} (connection refused, after 0 retries)`);
  });

  it('reports an error sent inside the stream as ModelUnavailableError', async () => {
    const { url } = await rawEndpoint((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"error": {"message": "model crashed"}}\n\n');
    });
    const gen = remote(url).stream(messages);
    await expect(gen.next()).rejects.toThrow(`The model endpoint ${url} reported an error while streaming: model crashed`);
  });

  it('never writes the key into a log line, even at debug level and on errors', async () => {
    const { log, lines } = memoryLogger('debug');
    const { url } = await rawEndpoint((_req, res) => json(res, 401, { error: { message: `bad key ${KEY}` } }));
    await remote(localUrl, {}, log).chat(messages);
    await remote(url, {}, log).chat(messages).catch((e: unknown) => log.error({ err: e }, 'model call failed'));
    const text = JSON.stringify(lines());
    expect(lines().length).toBeGreaterThanOrEqual(3);
    expect(text).toContain('remote model configured');
    expect(text).not.toContain(KEY);
  });
});
