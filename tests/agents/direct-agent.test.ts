import { beforeAll, describe, expect, it } from 'vitest';
import { createDirectAgent, createWsSession } from '../../src/agents/index.js';
import { HttpEnvClient } from '../../src/client/index.js';
import { startTestService, type TestService } from '../helpers/server.js';
import { COUNT_QUESTION, fenced, RIGHT_SQL, runOver, scripted, WRONG_SQL } from './agent-fixture.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});

describe('direct agent', () => {
  it("answers the env's generate prompt and submits its SQL as one step", async () => {
    const reset = await new HttpEnvClient({ baseUrl: svc.baseUrl }).reset(COUNT_QUESTION);
    const { backend, model } = scripted([fenced(RIGHT_SQL)]);
    const trace = await runOver(svc.baseUrl, createDirectAgent(model));
    expect(backend.calls).toHaveLength(1);
    expect(backend.calls[0]?.messages).toEqual(reset.observation.recommendation?.prompt);
    expect(backend.calls[0]?.options.temperature).toBe(0);
    expect(trace.steps).toEqual([expect.objectContaining({ attempt: 1, arm: 'generate', sql: RIGHT_SQL, isSuccess: true, isDone: true })]);
    expect(trace.calls[0]).toMatchObject({ role: 'write', turn: 1, stepIndex: 0, source: 'agent', promptVersion: reset.observation.recommendation?.prompt_version });
    expect(trace.isDone).toBe(true);
  });

  it('stops after its one step even when the query is wrong', async () => {
    const { backend, model } = scripted([fenced(WRONG_SQL), fenced(RIGHT_SQL)]);
    const trace = await runOver(svc.baseUrl, createDirectAgent(model));
    expect(backend.calls).toHaveLength(1);
    expect(trace.steps).toHaveLength(1);
    expect(trace.final).toMatchObject({ success: false, error_class: 'WRONG_RESULT', attempt_number: 1 });
    expect(trace.isDone).toBe(false);
  });

  it('sends a placeholder that the env rejects when the answer holds no SQL', async () => {
    const { model } = scripted(['```sqlite\n```']);
    const trace = await runOver(svc.baseUrl, createDirectAgent(model));
    expect(trace.final).toMatchObject({ error_class: 'REJECTED', result: null });
  });

  it('runs the same episode over a WebSocket session', async () => {
    const { model } = scripted([fenced(RIGHT_SQL)]);
    const session = await createWsSession(svc.baseUrl);
    const trace = await createDirectAgent(model).run(session, { reset: COUNT_QUESTION });
    await session.close();
    expect(trace.steps).toEqual([expect.objectContaining({ sql: RIGHT_SQL, isSuccess: true })]);
    expect(trace.initial.question_id).toBe(COUNT_QUESTION.question_id);
  });
});
