import { beforeAll, describe, expect, it } from 'vitest';
import { builtinGold } from '../helpers/builtin-gold.js';
import { getJson, postJson, startTestService, type TestService } from '../helpers/server.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});

describe('OpenEnv validator endpoints', () => {
  it('answers /health with status healthy', async () => {
    const res = await getJson(svc.baseUrl, '/health');
    expect(res).toMatchObject({ status: 200, body: { status: 'healthy' } });
  });

  it('answers /metadata with string name and description', async () => {
    const { status, body } = await getJson(svc.baseUrl, '/metadata');
    expect(status).toBe(200);
    expect(typeof body.name).toBe('string');
    expect(typeof body.description).toBe('string');
    expect(body.version).toBe('0.1.0');
  });

  it('publishes action, observation and state JSON Schemas generated from the validators', async () => {
    const { status, body } = await getJson(svc.baseUrl, '/schema');
    expect(status).toBe(200);
    expect(body.action.type).toBe('object');
    expect(body.action.additionalProperties).toBe(false);
    expect(Object.keys(body.action.properties)).toEqual(expect.arrayContaining(['repair_action', 'custom_sql', 'metadata']));
    expect(body.action.properties.repair_action.enum).toContain('FIX_IDENTIFIER');
    expect(Object.keys(body.observation.properties)).toEqual(
      expect.arrayContaining(['question', 'schema_info', 'error_class', 'recommendation', 'done', 'reward', 'metadata']),
    );
    expect(body.state.properties.step_count.type).toBe('integer');
  });

  it('serves an OpenAPI document with version 1.0.0 and the simulation-mode paths', async () => {
    const { status, body } = await getJson(svc.baseUrl, '/openapi.json');
    expect(status).toBe(200);
    expect(body.info.version).toBe('1.0.0');
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/reset', '/step', '/state', '/health', '/mcp', '/metadata', '/schema']));
  });

  it('answers POST /mcp {} with a JSON-RPC invalid-request error', async () => {
    const { status, body } = await postJson(svc.baseUrl, '/mcp', {});
    expect(status).toBe(200);
    expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
  });

  it('answers tools/list with "Environment does not support MCP"', async () => {
    const { body } = await postJson(svc.baseUrl, '/mcp', { jsonrpc: '2.0', method: 'tools/list', id: 1 });
    expect(body).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Environment does not support MCP', data: null } });
  });
});

describe('request validation (422 shapes as upstream)', () => {
  it('accepts reset with no body, {}, extra keys and null seed and episode_id (ResetRequest\'s Optional fields)', async () => {
    for (const body of [undefined, {}, { seed: 7, junk: 1 }, { seed: null, episode_id: null }]) {
      const res = await postJson(svc.baseUrl, '/reset', body);
      expect(res.status).toBe(200);
      expect(res.body.done).toBe(false);
      expect(res.body.reward).toBeNull();
    }
  });

  it('refuses a negative seed with greater_than_equal at body.seed', async () => {
    const { status, body } = await postJson(svc.baseUrl, '/reset', { seed: -1 });
    expect(status).toBe(422);
    expect(body.detail[0]).toMatchObject({ type: 'greater_than_equal', loc: ['body', 'seed'], msg: 'Input should be greater than or equal to 0', input: -1, ctx: { ge: 0 } });
  });

  it('refuses a body that is not JSON with json_invalid', async () => {
    const { status, body } = await postJson(svc.baseUrl, '/reset', '{not json');
    expect(status).toBe(422);
    expect(body.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error' });
  });

  it('refuses a step without action as missing body.action', async () => {
    const { status, body } = await postJson(svc.baseUrl, '/step', {});
    expect(status).toBe(422);
    expect(body.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'action'], msg: 'Field required' });
  });

  it('refuses a string action with dict_type', async () => {
    const { status, body } = await postJson(svc.baseUrl, '/step', { action: 'select 1' });
    expect(status).toBe(422);
    expect(body.detail[0]).toMatchObject({ type: 'dict_type', loc: ['body', 'action'] });
  });

  it('refuses timeout_s 0 with greater_than', async () => {
    const { status, body } = await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'SELECT 1' }, timeout_s: 0 });
    expect(status).toBe(422);
    expect(body.detail[0]).toMatchObject({ type: 'greater_than', loc: ['body', 'timeout_s'] });
  });

  it('refuses an unknown action key with extra_forbidden, loc relative to the action', async () => {
    const { status, body } = await postJson(svc.baseUrl, '/step', { action: { foo: 1 } });
    expect(status).toBe(422);
    expect(body.detail[0]).toMatchObject({ type: 'extra_forbidden', loc: ['foo'] });
  });

  it('refuses an empty custom_sql with string_too_short', async () => {
    const { status, body } = await postJson(svc.baseUrl, '/step', { action: { custom_sql: '' } });
    expect(status).toBe(422);
    expect(body.detail[0]).toMatchObject({ type: 'string_too_short', loc: ['custom_sql'], ctx: { min_length: 1 } });
  });

  it('refuses an unknown task with 422 at body.task_id naming the known tasks', async () => {
    const { status, body } = await postJson(svc.baseUrl, '/reset', { task_id: 'nope' });
    expect(status).toBe(422);
    expect(body.detail[0].loc).toEqual(['body', 'task_id']);
    expect(body.detail[0].msg).toContain('simple_queries');
  });

  it('answers unknown paths 404 and wrong methods 405 like upstream', async () => {
    expect(await getJson(svc.baseUrl, '/nope')).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    expect(await getJson(svc.baseUrl, '/step')).toMatchObject({ status: 405, body: { detail: 'Method Not Allowed' } });
  });
});

describe('stateful HTTP episodes', () => {
  it('plays an episode with custom_sql: a wrong attempt, then the gold answer ends it successfully', async () => {
    const reset = await postJson(svc.baseUrl, '/reset', { task_id: 'simple_queries', question_id: 'simple_queries/01', episode_id: 'ep-http-1' });
    expect(reset.status).toBe(200);
    const obs = reset.body.observation;
    expect(obs).toMatchObject({ episode_id: 'ep-http-1', task_id: 'simple_queries', question_id: 'simple_queries/01', dialect: 'sqlite', db_id: 'demo', attempt_number: 0, max_attempts: 5 });
    expect(obs.schema_info).toContain('CREATE TABLE');
    expect(obs.recommendation.arm).toBe('generate');
    expect(obs.recommendation.prompt.length).toBeGreaterThan(0);

    const wrong = await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'SELECT COUNT(*) FROM custmers' }, episode_id: 'ep-http-1' });
    expect(wrong.status).toBe(200);
    expect(wrong.body.done).toBe(false);
    expect(wrong.body.observation).toMatchObject({ attempt_number: 1, error_class: 'UNKNOWN_TABLE', offending_token: 'custmers', success: false });
    expect(wrong.body.observation.candidates[0].name).toBe('customers');
    expect(wrong.body.observation.recommendation.decision_id).not.toBe('');
    expect(wrong.body.reward).toBeGreaterThanOrEqual(0.05);

    const right = await postJson(svc.baseUrl, '/step', { action: { custom_sql: builtinGold('simple_queries/01') }, episode_id: 'ep-http-1' });
    expect(right.body).toMatchObject({ done: true, reward: 0.95 });
    expect(right.body.observation).toMatchObject({ success: true, attempt_number: 2, error_class: null, score: 0.95 });
    expect(right.body.observation.result.row_count).toBe(1);

    const after = await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'SELECT 1' }, episode_id: 'ep-http-1' });
    expect(after.status).toBe(409);
    expect(after.body.detail).toContain('ep-http-1');

    const state = await getJson(svc.baseUrl, '/state?episode_id=ep-http-1');
    expect(state.body).toMatchObject({ episode_id: 'ep-http-1', step_count: 2, attempt: 2, done: true, success: true });
    expect(state.body.step_rewards).toHaveLength(2);
  });

  it('answers /reset and /step as UTF-8 JSON, non-ASCII text intact', async () => {
    for (const [path, body] of [
      ['/reset', { task_id: 'simple_queries', question_id: 'simple_queries/01', episode_id: 'utf8' }],
      ['/step', { action: { custom_sql: "SELECT 'ü 𝔘 \u00e9' AS naïve" }, episode_id: 'utf8' }],
    ] as const) {
      const res = await fetch(`${svc.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
      expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
      const reply = JSON.parse(text) as { observation: { current_sql: string | null; result: { columns: string[] } | null } };
      if (path === '/step') expect(reply.observation).toMatchObject({ current_sql: body.action.custom_sql, result: { columns: ['naïve'] } });
    }
  });

  it('keeps the default shared episode apart from episodes named by id', async () => {
    const shared = await postJson(svc.baseUrl, '/reset', { task_id: 'simple_queries', question_id: 'simple_queries/01' });
    const named = await postJson(svc.baseUrl, '/reset', { task_id: 'join_queries', episode_id: 'ep-named' });
    expect(named.body.observation.task_id).toBe('join_queries');
    const step = await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'SELECT 42 AS answer' } });
    expect(step.body.observation.episode_id).toBe(shared.body.observation.episode_id);
    expect(step.body.observation.result.rows).toEqual([[42]]);
    const namedState = await getJson(svc.baseUrl, '/state?episode_id=ep-named');
    expect(namedState.body.step_count).toBe(0);
  });

  it('answers 404 for an unknown episode id', async () => {
    const res = await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'SELECT 1' }, episode_id: 'missing' });
    expect(res.status).toBe(404);
    expect(res.body.detail).toContain('missing');
  });

  it('answers 503 naming the settings when the server must write SQL but has no model', async () => {
    await postJson(svc.baseUrl, '/reset', { episode_id: 'ep-no-model' });
    const res = await postJson(svc.baseUrl, '/step', { action: { repair_action: 'generate' }, episode_id: 'ep-no-model' });
    expect(res.status).toBe(503);
    expect(res.body.detail).toContain('LLM_BASE_URL');
    expect(res.body.detail).toContain('MODEL_DIR');
  });

  it('gives the same question for the same task and seed', async () => {
    const a = await postJson(svc.baseUrl, '/reset', { task_id: 'complex_analytics', seed: 11 });
    const b = await postJson(svc.baseUrl, '/reset', { task_id: 'complex_analytics', seed: 11 });
    expect(a.body.observation.question_id).toBe(b.body.observation.question_id);
  });

  it('refuses hostile SQL as a REJECTED attempt, not an HTTP error', async () => {
    await postJson(svc.baseUrl, '/reset', { episode_id: 'ep-hostile' });
    const res = await postJson(svc.baseUrl, '/step', { action: { custom_sql: "ATTACH DATABASE '/tmp/x.db' AS x" }, episode_id: 'ep-hostile' });
    expect(res.status).toBe(200);
    expect(res.body.observation.error_class).toBe('REJECTED');
    expect(res.body.observation.error_message).toMatch(/ATTACH/);
  });

  it('shows the rewarded repair decision on /policy by error class', async () => {
    const { status, body } = await getJson(svc.baseUrl, '/policy');
    expect(status).toBe(200);
    expect(body.arms).toHaveLength(10);
    expect(body.decisions).toBeGreaterThanOrEqual(1);
    const unknownTable = body.by_error_class.filter((row: { error_class: string }) => row.error_class === 'UNKNOWN_TABLE');
    expect(unknownTable.reduce((n: number, row: { rewarded: number }) => n + row.rewarded, 0)).toBeGreaterThanOrEqual(1);
    expect(body.reward_curve.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps /policy current across loads, and concurrent loads count each decision once', async () => {
    const before = (await getJson(svc.baseUrl, '/policy')).body;
    await postJson(svc.baseUrl, '/reset', { episode_id: 'ep-overview', task_id: 'simple_queries', question_id: 'simple_queries/01' });
    await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'SELECT COUNT(*) FROM no_such_table' }, episode_id: 'ep-overview' });
    await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'SELECT COUNT(*) FROM orders' }, episode_id: 'ep-overview' });
    const [a, b] = await Promise.all([getJson(svc.baseUrl, '/policy'), getJson(svc.baseUrl, '/policy')]);
    expect(a.body.decisions).toBe(before.decisions + 2);
    expect(b.body.decisions).toBe(a.body.decisions);
    expect(b.body.rewards).toBe(before.rewards + 1);
    expect(b.body.by_error_class).toEqual(a.body.by_error_class);
  });

  it('counts steps and error classes in /metrics', async () => {
    const res = await fetch(`${svc.baseUrl}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/sre_steps_total\{transport="http",outcome="ok"\} \d+/);
    expect(text).toMatch(/sre_sql_errors_total\{error_class="UNKNOWN_TABLE"\} \d+/);
  });

  it('shows in /metrics the SQLite queries answered on the main thread, one more after a quick step', async () => {
    const answered = async () => Number(/sre_sqlite_inline_queries\{outcome="answered"\} (\d+)/.exec(await (await fetch(`${svc.baseUrl}/metrics`)).text())?.[1]);
    const before = await answered();
    await postJson(svc.baseUrl, '/reset', { episode_id: 'ep-inline', task_id: 'simple_queries', question_id: 'simple_queries/01' });
    await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'SELECT COUNT(*) + 7 FROM orders' }, episode_id: 'ep-inline' });
    expect(await answered()).toBe(before + 1);
  });

  it("shows in /metrics the policy log's commits, one more after a step that logs a decision", async () => {
    const commits = async () => Number(/sre_policy_commit_duration_seconds_count (\d+)/.exec(await (await fetch(`${svc.baseUrl}/metrics`)).text())?.[1]);
    const before = await commits();
    await postJson(svc.baseUrl, '/reset', { episode_id: 'ep-commit', task_id: 'simple_queries', question_id: 'simple_queries/01' });
    const { body } = await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'SELECT COUNT(*) + 13 FROM orders' }, episode_id: 'ep-commit' });
    expect(body.observation.recommendation.decision_id).toEqual(expect.any(String));
    expect(await commits()).toBeGreaterThan(before);
  });

  it("shows in /metrics the process's CPU, event-loop lag and garbage-collection pauses", async () => {
    const scrape = async () => (await fetch(`${svc.baseUrl}/metrics`)).text();
    const minorPauses = (text: string) => Number(/nodejs_gc_duration_seconds_count\{kind="minor"\} (\d+)/.exec(text)?.[1] ?? 0);
    let text = await scrape();
    expect(text).toMatch(/process_cpu_seconds_total \d/);
    expect(text).toMatch(/nodejs_eventloop_lag_seconds \d/);
    // The server runs in this process: should no scavenge have come yet, garbage made here brings one on.
    for (let i = 0; i < 50 && minorPauses(text) === 0; i++) {
      expect(Array.from({ length: 100_000 }, (_, j) => ({ j }))).toHaveLength(100_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      text = await scrape();
    }
    expect(minorPauses(text)).toBeGreaterThan(0);
    expect(text).toMatch(/nodejs_gc_duration_seconds_bucket\{le="0.002",kind="minor"\} \d+/);
  });

  it('shows in /metrics the SQLite result cache answering a text a second time', async () => {
    const lookups = async () => {
      const text = await (await fetch(`${svc.baseUrl}/metrics`)).text();
      const count = (outcome: string) => Number(new RegExp(`sre_sqlite_result_cache_lookups\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1]);
      return { hit: count('hit'), miss: count('miss'), bytes: Number(/sre_sqlite_result_cache_bytes (\d+)/.exec(text)?.[1]) };
    };
    const before = await lookups();
    await postJson(svc.baseUrl, '/reset', { episode_id: 'ep-cache', task_id: 'simple_queries', question_id: 'simple_queries/01' });
    for (let i = 0; i < 2; i++) await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'SELECT COUNT(*) + 11 FROM orders' }, episode_id: 'ep-cache' });
    const after = await lookups();
    expect(after.hit - before.hit).toBeGreaterThanOrEqual(1);
    expect(after.miss - before.miss).toBeGreaterThanOrEqual(1);
    expect(after.bytes).toBeGreaterThan(before.bytes);
  });
});
