import WebSocket from 'ws';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { WsEnvClient } from '../../src/client/index.js';
import { startTestService, type TestService } from '../helpers/server.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ MAX_CONCURRENT_ENVS: '3' });
});

/** Opens a raw socket and collects every frame it receives. */
async function rawSocket(url: string): Promise<{ ws: WebSocket; frames: unknown[]; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  const frames: unknown[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, frames, closed };
}

/** sre_ws_read_pauses_total from /metrics. */
async function readPauses(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/^sre_ws_read_pauses_total (\d+)$/m.exec(text)?.[1] ?? NaN);
}

describe('WebSocket /ws protocol', () => {
  it('plays reset, step and state with observation and state frames', async () => {
    const client = await WsEnvClient.connect(svc.baseUrl);
    const reset = await client.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01' });
    expect(reset).toMatchObject({ reward: null, done: false, observation: { question_id: 'simple_queries/01', attempt_number: 0 } });
    const step = await client.step({ custom_sql: 'SELECT COUNT(*) FROM customers' });
    expect(step.done).toBe(true);
    expect(step.observation.success).toBe(true);
    const state = await client.state();
    expect(state).toMatchObject({ episode_id: reset.observation.episode_id, step_count: 1, done: true });
    await client.close();
  });

  it('sends every reply as a text frame, as OpenEnv clients read them', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${svc.port}/ws`);
    const frames: { isBinary: boolean; type: unknown }[] = [];
    const received = new Promise<void>((resolve) =>
      ws.on('message', (d, isBinary) => {
        frames.push({ isBinary, type: (JSON.parse(d.toString()) as { type: unknown }).type });
        if (frames.length === 4) resolve();
      }),
    );
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'reset', data: { task_id: 'simple_queries', question_id: 'simple_queries/01' } }));
    ws.send(JSON.stringify({ type: 'step', data: { custom_sql: 'SELECT COUNT(*) FROM orders' } }));
    ws.send(JSON.stringify({ type: 'state' }));
    ws.send('{nope');
    await received;
    ws.close();
    expect(frames).toEqual([
      { isBinary: false, type: 'observation' },
      { isBinary: false, type: 'observation' },
      { isBinary: false, type: 'state' },
      { isBinary: false, type: 'error' },
    ]);
  });

  it('sends no reply to close and closes with code 1000', async () => {
    const { ws, frames, closed } = await rawSocket(`ws://127.0.0.1:${svc.port}/ws`);
    ws.send(JSON.stringify({ type: 'close' }));
    expect(await closed).toBe(1000);
    expect(frames).toEqual([]);
  });

  it('stops reading from a client far ahead of its replies, then answers every message, in order', async () => {
    const pausesBefore = await readPauses(svc.baseUrl);
    const { ws, frames } = await rawSocket(`ws://127.0.0.1:${svc.port}/ws`);
    const count = 1000;
    // One burst, far past the 32 messages a client may have unanswered.
    for (let id = 0; id < count; id++) ws.send(JSON.stringify({ type: 'mcp', data: { jsonrpc: '2.0', id, method: 'ping' } }));
    await vi.waitFor(() => expect(frames).toHaveLength(count), { timeout: 20_000 });
    expect(frames.map((f) => (f as { data: { id: number } }).data.id)).toEqual(Array.from({ length: count }, (_, id) => id));
    expect(await readPauses(svc.baseUrl)).toBeGreaterThan(pausesBefore);
    // Reading again, it is served as before.
    ws.send(JSON.stringify({ type: 'state' }));
    await vi.waitFor(() => expect(frames).toHaveLength(count + 1));
    expect(frames.at(-1)).toMatchObject({ type: 'state' });
    ws.close();
  });

  it('answers INVALID_JSON, UNKNOWN_TYPE and VALIDATION_ERROR and keeps the socket open', async () => {
    const client = await WsEnvClient.connect(svc.baseUrl);
    await expect(client.sendRaw('{nope')).rejects.toMatchObject({ code: 'INVALID_JSON' });
    await expect(client.send({ type: 'bogus' })).rejects.toMatchObject({ code: 'UNKNOWN_TYPE', message: expect.stringContaining('Unknown message type: bogus') });
    await expect(client.send({ data: {} })).rejects.toMatchObject({ code: 'UNKNOWN_TYPE', message: 'Server error: Unknown message type:  (code: UNKNOWN_TYPE)' });
    await expect(client.send({ type: 'state', extra: 1 })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(client.send({ type: 'step' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    const invalidAction = client.send({ type: 'step', data: { foo: 1 } });
    await expect(invalidAction).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    const err = (await invalidAction.catch((e: unknown) => e)) as { body: { errors: unknown[] } };
    expect(err.body.errors).toEqual([expect.objectContaining({ type: 'extra_forbidden', loc: ['foo'] })]);
    const state = await client.state();
    expect(state).toEqual({ episode_id: null, step_count: 0 });
    await client.close();
  });

  it("takes null reset options and null action fields as absent, as OpenEnv's Python client sends them", async () => {
    const client = await WsEnvClient.connect(svc.baseUrl);
    const reset = await client.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01', seed: null, episode_id: null });
    expect(reset.observation).toMatchObject({ question_id: 'simple_queries/01', attempt_number: 0 });
    expect(reset.observation.episode_id).toMatch(/^[0-9a-f-]{36}$/);
    const step = await client.step({ custom_sql: 'SELECT COUNT(*) FROM customers', repair_action: null, metadata: null } as never);
    expect(step.observation).toMatchObject({ success: true, attempt_number: 1 });
    await expect(client.step({ custom_sql: null } as never)).rejects.toMatchObject({ code: 'EXECUTION_ERROR', message: expect.stringContaining('done') });
    await client.close();
  });

  it('answers EXECUTION_ERROR for a step before reset and after the episode is done', async () => {
    const client = await WsEnvClient.connect(svc.baseUrl);
    await expect(client.step({ custom_sql: 'SELECT 1' })).rejects.toMatchObject({ code: 'EXECUTION_ERROR', message: expect.stringContaining('reset') });
    await client.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01' });
    await client.step({ custom_sql: 'SELECT COUNT(*) FROM customers' });
    await expect(client.step({ custom_sql: 'SELECT 1' })).rejects.toMatchObject({ code: 'EXECUTION_ERROR', message: expect.stringContaining('done') });
    await client.close();
  });

  it('answers an unknown task with VALIDATION_ERROR', async () => {
    const client = await WsEnvClient.connect(svc.baseUrl);
    await expect(client.reset({ task_id: 'nope' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await client.close();
  });

  it('answers mcp frames with JSON-RPC', async () => {
    const client = await WsEnvClient.connect(svc.baseUrl);
    const reply = (await client.send({ type: 'mcp', data: { jsonrpc: '2.0', method: 'tools/list', id: 3 } })) as Record<string, unknown>;
    expect(reply).toMatchObject({ jsonrpc: '2.0', id: 3, error: { code: -32603 } });
    await client.close();
  });

  it('refuses a connection past MAX_CONCURRENT_ENVS with CAPACITY_REACHED, then closes', async () => {
    const held = await Promise.all([0, 1, 2].map(() => WsEnvClient.connect(svc.baseUrl)));
    const { frames, closed } = await rawSocket(`ws://127.0.0.1:${svc.port}/ws`);
    expect(await closed).toBe(1000);
    expect(frames).toEqual([
      {
        type: 'error',
        data: { code: 'CAPACITY_REACHED', message: 'Server at capacity: 3/3 sessions active. Cannot accept new connections.', active_sessions: 3, max_sessions: 3 },
      },
    ]);
    await Promise.all(held.map((c) => c.close()));
  });

  it('closes sessions idle past SESSION_TIMEOUT_S', async () => {
    const client = await WsEnvClient.connect(svc.baseUrl);
    await client.reset({});
    const closed = new Promise<number>((resolve) => client.raw.once('close', (code) => resolve(code)));
    const reaped = svc.service.server.ws.reapIdle(Date.now() + 601_000);
    expect(reaped).toBeGreaterThanOrEqual(1);
    expect(await closed).toBe(1000);
    expect(svc.service.server.ws.size).toBe(0);
  });

  it('refuses upgrades on other paths', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${svc.port}/other`);
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
  });
});
