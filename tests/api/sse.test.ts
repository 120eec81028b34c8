import { beforeAll, describe, expect, it } from 'vitest';
import { HttpEnvClient, WsEnvClient, type Envelope } from '../../src/client/index.js';
import type { StepEvent } from '../../src/env/index.js';
import { startTestService, type TestService } from '../helpers/server.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});

const ATTEMPTS = ['SELECT COUNT(*) FROM custmers', 'SELECT COUNT(*) FROM customers WHERE 1 = 0', 'SELECT COUNT(*) FROM customers'];
const RESET = { task_id: 'simple_queries', question_id: 'simple_queries/01' } as const;

async function collect(stream: AsyncGenerator<StepEvent, unknown>): Promise<{ events: StepEvent[]; result: unknown }> {
  const events: StepEvent[] = [];
  let next = await stream.next();
  while (next.done !== true) {
    events.push(next.value);
    next = await stream.next();
  }
  return { events, result: next.value };
}

describe('POST /step/stream', () => {
  it('streams the stage events in order and ends with the /step envelope', async () => {
    const client = new HttpEnvClient({ baseUrl: svc.baseUrl });
    const reset = await client.reset({ ...RESET, episode_id: 'sse-1' });
    expect(reset.observation.episode_id).toBe('sse-1');
    const first = await collect(client.stepStream({ custom_sql: ATTEMPTS[0] }, 'sse-1'));
    expect(first.events.map((e) => e.type)).toEqual(['attempt_start', 'sql_complete', 'executing', 'error', 'rl_reward', 'rl_action']);
    expect(first.events[3]).toMatchObject({ type: 'error', error_class: 'UNKNOWN_TABLE', offending_token: 'custmers' });
    const action = first.events[5] as Extract<StepEvent, { type: 'rl_action' }>;
    expect(action.scores).toHaveLength(10);
    expect(action.scores.reduce((sum, s) => sum + s.probability, 0)).toBeCloseTo(1, 9);
    expect(first.result).toMatchObject({ done: false, observation: { error_class: 'UNKNOWN_TABLE' } });

    const last = await collect(client.stepStream({ custom_sql: ATTEMPTS[2] }, 'sse-1'));
    expect(last.events.map((e) => e.type)).toEqual(['attempt_start', 'sql_complete', 'executing', 'success', 'rl_reward', 'rl_episode_end']);
    expect(last.events[5]).toMatchObject({ type: 'rl_episode_end', success: true, attempts: 2 });
    expect(last.result).toMatchObject({ done: true, reward: 0.95 });
  });

  it('writes exact SSE frames', async () => {
    await fetch(`${svc.baseUrl}/reset`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...RESET, episode_id: 'sse-raw' }) });
    const res = await fetch(`${svc.baseUrl}/step/stream`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: { custom_sql: 'SELECT COUNT(*) FROM customers' }, episode_id: 'sse-raw' }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await res.text();
    expect(text.startsWith('event: attempt_start\ndata: {"type":"attempt_start","attempt":1,"max_attempts":5,"arm":"generate","source":"agent"}\n\n')).toBe(true);
    expect(text).toContain('event: sql_complete\ndata: {"type":"sql_complete","sql":"SELECT COUNT(*) FROM customers"}\n\n');
    expect(text).toMatch(/event: result\ndata: \{"observation":\{.*\},"reward":0\.95,"done":true\}\n\n$/);
  });

  it('streams a failure event for a step on an unknown episode', async () => {
    const client = new HttpEnvClient({ baseUrl: svc.baseUrl });
    await expect(collect(client.stepStream({ custom_sql: 'SELECT 1' }, 'nope'))).rejects.toMatchObject({ status: 404 });
  });
});

describe('one episode, three transports', () => {
  it('gives the same rewards, scores and error classes over HTTP, WebSocket and SSE', async () => {
    const http = new HttpEnvClient({ baseUrl: svc.baseUrl });
    await http.reset({ ...RESET, episode_id: 'parity-http' });
    const viaHttp: Envelope[] = [];
    for (const sql of ATTEMPTS) viaHttp.push(await http.step({ custom_sql: sql }, 'parity-http'));

    const ws = await WsEnvClient.connect(svc.baseUrl);
    await ws.reset(RESET);
    const viaWs: Envelope[] = [];
    for (const sql of ATTEMPTS) viaWs.push(await ws.step({ custom_sql: sql }));
    await ws.close();

    await http.reset({ ...RESET, episode_id: 'parity-sse' });
    const viaSse: Envelope[] = [];
    for (const sql of ATTEMPTS) viaSse.push((await collect(http.stepStream({ custom_sql: sql }, 'parity-sse'))).result as Envelope);

    const summary = (r: Envelope) => [r.reward, r.done, r.observation.score, r.observation.error_class, r.observation.reward_breakdown];
    expect(viaWs.map(summary)).toEqual(viaHttp.map(summary));
    expect(viaSse.map(summary)).toEqual(viaHttp.map(summary));
    expect(viaHttp.map((r) => r.observation.error_class)).toEqual(['UNKNOWN_TABLE', 'WRONG_RESULT', null]);
  });
});
