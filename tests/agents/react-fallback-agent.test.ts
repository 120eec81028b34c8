import { beforeAll, describe, expect, it } from 'vitest';
import { createReactFallbackAgent, parseReactMove } from '../../src/agents/index.js';
import { startTestService, type TestService } from '../helpers/server.js';
import { fenced, lastUserOf, RIGHT_SQL, runOver, scripted, systemOf, TYPO_SQL, WRONG_SQL } from './agent-fixture.js';

const PROBE = 'SELECT name FROM sqlite_master WHERE type = \'table\' AND name LIKE \'cust%\'';

function act(sql: string): string {
  return `Thought: I should check the table name.\nAction: execute_sql[${sql}]\nObservation: (the model must not get to write this)`;
}

function answer(sql: string): string {
  return `Thought: now I know.\nAnswer:\n${fenced(sql)}`;
}

describe('react-fallback agent', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });

  it('stops after the direct attempt when its query executes, right or wrong', async () => {
    const { backend, model } = scripted([fenced(WRONG_SQL), answer(RIGHT_SQL)]);
    const trace = await runOver(svc.baseUrl, createReactFallbackAgent(model));
    expect(backend.calls).toHaveLength(1);
    expect(trace.steps).toHaveLength(1);
    expect(trace.final.success).toBe(false);
  });

  it('after a failed execution, probes the database through env steps and submits its answer', async () => {
    const { backend, model } = scripted([fenced(TYPO_SQL), act(PROBE), answer(RIGHT_SQL)]);
    const trace = await runOver(svc.baseUrl, createReactFallbackAgent(model));
    expect(trace.steps.map((s) => s.sql)).toEqual([TYPO_SQL, PROBE, RIGHT_SQL]);
    expect(trace.final.success).toBe(true);
    expect(trace.calls.map((c) => [c.role, c.stepIndex])).toEqual([
      ['write', 0],
      ['react', 1],
      ['react', 2],
    ]);
    const firstReact = backend.calls[1];
    expect(firstReact?.options.stop).toEqual(['\nObservation:']);
    expect(systemOf(firstReact?.messages ?? [])).toContain('execute_sql[');
    expect(lastUserOf(firstReact?.messages ?? [])).toMatch(/A first query failed:[\s\S]*custmers[\s\S]*Observation: Error: .*custmers/);
    // The observation of the probe is the database's real answer, and the model's own "Observation:" was cut.
    const second = backend.calls[2]?.messages ?? [];
    expect(second.at(-2)).toEqual({ role: 'assistant', content: `Thought: I should check the table name.\nAction: execute_sql[${PROBE}]` });
    expect(second.at(-1)).toEqual({ role: 'user', content: "Observation: [('customers',)]" });
  });

  it('does not resubmit an answer equal to the query it just executed', async () => {
    const { model } = scripted([fenced(TYPO_SQL), act(WRONG_SQL), answer(WRONG_SQL)]);
    const trace = await runOver(svc.baseUrl, createReactFallbackAgent(model));
    expect(trace.steps.map((s) => s.sql)).toEqual([TYPO_SQL, WRONG_SQL]);
    expect(trace.calls.at(-1)?.stepIndex).toBeUndefined();
  });

  it('answers a reply in neither format with a format note and goes on', async () => {
    const { backend, model } = scripted([fenced(TYPO_SQL), 'I am not sure what to do.', answer(RIGHT_SQL)]);
    const trace = await runOver(svc.baseUrl, createReactFallbackAgent(model));
    expect(lastUserOf(backend.calls[2]?.messages ?? [])).toContain('Invalid format');
    expect(trace.steps.map((s) => s.sql)).toEqual([TYPO_SQL, RIGHT_SQL]);
  });

  it('ends when a probe happens to be right, since every probe is a graded attempt', async () => {
    const { backend, model } = scripted([fenced(TYPO_SQL), act(RIGHT_SQL), answer(WRONG_SQL)]);
    const trace = await runOver(svc.baseUrl, createReactFallbackAgent(model));
    expect(trace.steps.map((s) => s.sql)).toEqual([TYPO_SQL, RIGHT_SQL]);
    expect(trace.isDone).toBe(true);
    expect(backend.calls).toHaveLength(2);
  });
});

describe('react-fallback agent near the attempt limit (MAX_ATTEMPTS=3)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ MAX_ATTEMPTS: '3' });
  });

  it('asks for the answer on the last attempt and takes an action there as the answer', async () => {
    const { backend, model } = scripted([fenced(TYPO_SQL), act(PROBE), act(WRONG_SQL), answer(RIGHT_SQL)]);
    const trace = await runOver(svc.baseUrl, createReactFallbackAgent(model));
    expect(trace.steps.map((s) => s.sql)).toEqual([TYPO_SQL, PROBE, WRONG_SQL]);
    expect(trace.isDone).toBe(true);
    expect(backend.calls).toHaveLength(3);
    expect(lastUserOf(backend.calls[2]?.messages ?? [])).toContain('You have one attempt left: give your Answer now.');
    expect(systemOf(backend.calls[1]?.messages ?? [])).toContain('your 2 remaining attempts');
  });
});

describe('parseReactMove', () => {
  it('reads the later of the last action and the answer', () => {
    expect(parseReactMove('Thought: x\nAction: execute_sql[SELECT a[1] FROM t]')).toEqual({ kind: 'execute', sql: 'SELECT a[1] FROM t' });
    expect(parseReactMove('Action: execute_sql[SELECT 1]\nAnswer: SELECT 2')).toEqual({ kind: 'answer', text: ' SELECT 2' });
    expect(parseReactMove('Answer: SELECT 2\nAction: execute_sql[SELECT 3]')).toEqual({ kind: 'execute', sql: 'SELECT 3' });
    expect(parseReactMove('Action: execute_sql[SELECT 4')).toEqual({ kind: 'execute', sql: 'SELECT 4' });
    expect(parseReactMove('Action: execute_sql[ ]')).toEqual({ kind: 'invalid' });
    expect(parseReactMove('no idea')).toEqual({ kind: 'invalid' });
  });
});
