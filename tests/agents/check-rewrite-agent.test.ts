import { beforeAll, describe, expect, it } from 'vitest';
import { createCheckRewriteAgent, isVerdictCorrect, TRUNCATE_CHARS, VERDICT_CORRECT, VERDICT_INCORRECT } from '../../src/agents/index.js';
import { HttpEnvClient } from '../../src/client/index.js';
import { startTestService, type TestService } from '../helpers/server.js';
import { fenced, lastUserOf, RIGHT_SQL, runOver, scripted, systemOf, TYPO_SQL, WRONG_SQL } from './agent-fixture.js';

let svc: TestService;
let schemaInfo = '';
beforeAll(async () => {
  svc = await startTestService();
  schemaInfo = (await new HttpEnvClient({ baseUrl: svc.baseUrl }).reset({ task_id: 'simple_queries' })).observation.schema_info;
});

const INCORRECT = `The table name is misspelled.\n${VERDICT_INCORRECT}`;

describe('check-rewrite agent (Agent Lightning loop)', () => {
  it('writes, executes, checks with the execution error, and rewrites from the feedback until the env succeeds', async () => {
    const { backend, model } = scripted([fenced(TYPO_SQL), INCORRECT, fenced(RIGHT_SQL), VERDICT_CORRECT]);
    const trace = await runOver(svc.baseUrl, createCheckRewriteAgent(model));
    expect(trace.calls.map((c) => [c.role, c.turn, c.stepIndex])).toEqual([
      ['write', 1, 0],
      ['check', 1, undefined],
      ['rewrite', 2, 1],
    ]);
    const [write, check, rewrite] = backend.calls.map((c) => c.messages);
    expect(lastUserOf(write ?? [])).toContain('Question: How many customers do we have?');
    expect(lastUserOf(check ?? [])).toContain(`\`\`\`sqlite\n${TYPO_SQL}\n\`\`\``);
    expect(lastUserOf(check ?? [])).toMatch(/Execution result:\n\n```\nError: .*custmers/);
    expect(systemOf(check ?? [])).toContain(VERDICT_CORRECT);
    expect(lastUserOf(rewrite ?? [])).toContain('The table name is misspelled.');
    expect(trace.steps.map((s) => [s.sql, s.arm, s.isSuccess])).toEqual([
      [TYPO_SQL, 'generate', false],
      [RIGHT_SQL, 'generate', true],
    ]);
    expect(trace.isDone).toBe(true);
  });

  it('stops when the check says the query is correct, even if it is wrong', async () => {
    const { backend, model } = scripted([fenced(WRONG_SQL), `Looks fine.\n${VERDICT_CORRECT}`]);
    const trace = await runOver(svc.baseUrl, createCheckRewriteAgent(model));
    expect(backend.calls).toHaveLength(2);
    expect(trace.steps).toHaveLength(1);
    expect(trace.final.success).toBe(false);
    expect(trace.isDone).toBe(false);
  });

  it('shows the check the executed rows as a Python list of tuples', async () => {
    const { backend, model } = scripted([fenced(WRONG_SQL), VERDICT_CORRECT]);
    await runOver(svc.baseUrl, createCheckRewriteAgent(model));
    expect(lastUserOf(backend.calls[1]?.messages ?? [])).toMatch(/Execution result:\n\n```\n\[\(\d+,\)\]\n```$/);
  });

  it('makes at most maxTurns writes and skips the check after the last one', async () => {
    const { backend, model } = scripted((_messages, i) => (i % 2 === 0 ? fenced(`SELECT ${i} AS n`) : INCORRECT));
    const trace = await runOver(svc.baseUrl, createCheckRewriteAgent(model));
    expect(trace.calls.map((c) => c.role)).toEqual(['write', 'check', 'rewrite', 'check', 'rewrite']);
    expect(trace.steps.map((s) => s.sql)).toEqual(['SELECT 0 AS n', 'SELECT 2 AS n', 'SELECT 4 AS n']);
    expect(backend.calls).toHaveLength(5);
  });

  it('honours a smaller maxTurns', async () => {
    const { model } = scripted([fenced(WRONG_SQL), INCORRECT, fenced(TYPO_SQL)]);
    const trace = await runOver(svc.baseUrl, createCheckRewriteAgent(model, { maxTurns: 2 }));
    expect(trace.steps.map((s) => s.sql)).toEqual([WRONG_SQL, TYPO_SQL]);
  });

  it('keeps the previous query when a rewrite has no code block, and takes the raw text when a write has none', async () => {
    const { model } = scripted([WRONG_SQL, INCORRECT, 'I would not change anything.', INCORRECT, fenced(RIGHT_SQL)]);
    const trace = await runOver(svc.baseUrl, createCheckRewriteAgent(model));
    expect(trace.steps.map((s) => s.sql)).toEqual([WRONG_SQL, WRONG_SQL, RIGHT_SQL]);
  });

  it('cuts the schema and the execution result at 2,048 characters', async () => {
    expect(schemaInfo.length).toBeGreaterThan(TRUNCATE_CHARS);
    const { backend, model } = scripted([fenced('SELECT * FROM orders'), VERDICT_CORRECT]);
    await runOver(svc.baseUrl, createCheckRewriteAgent(model));
    const [write, check] = backend.calls.map((c) => c.messages);
    expect(systemOf(write ?? [])).toContain(`${schemaInfo.slice(0, TRUNCATE_CHARS)}\n... (truncated)`);
    expect(systemOf(write ?? [])).not.toContain(schemaInfo.slice(0, TRUNCATE_CHARS + 1));
    const execution = /Execution result:\n\n```\n([\s\S]*)\n```$/.exec(lastUserOf(check ?? []))?.[1] ?? '';
    expect(execution.length).toBe(TRUNCATE_CHARS + '\n... (truncated)'.length);
    expect(execution.startsWith('[(')).toBe(true);
  });
});

describe('isVerdictCorrect', () => {
  it('reads the verdict phrase, the later one winning when both appear', () => {
    expect(isVerdictCorrect(`No mistakes. ${VERDICT_CORRECT}`)).toBe(true);
    expect(isVerdictCorrect(`Wrong join. ${VERDICT_INCORRECT}`)).toBe(false);
    expect(isVerdictCorrect(`${VERDICT_INCORRECT} On reflection: ${VERDICT_CORRECT}`)).toBe(true);
    expect(isVerdictCorrect(`${VERDICT_CORRECT} But wait. ${VERDICT_INCORRECT}`)).toBe(false);
    expect(isVerdictCorrect('the query is correct')).toBe(false);
    expect(isVerdictCorrect('THE QUERY IS CORRECT')).toBe(true);
  });
});
