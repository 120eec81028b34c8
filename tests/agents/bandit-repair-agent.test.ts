import { beforeAll, describe, expect, it } from 'vitest';
import { createAgentBanditAgent, createServerBanditAgent } from '../../src/agents/index.js';
import { startTestService, type TestService } from '../helpers/server.js';
import { tinyModelDir } from '../helpers/tiny-model.js';
import { COUNT_QUESTION, fenced, RIGHT_SQL, runOver, scripted, TYPO_SQL, WRONG_SQL } from './agent-fixture.js';

describe('bandit-repair agent with its own model', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });

  it("answers each recommendation's prompt and sends the SQL under the recommended arm, which the policy is rewarded for", async () => {
    const { backend, model } = scripted([fenced(TYPO_SQL), fenced(WRONG_SQL), fenced(RIGHT_SQL)]);
    const rewardsBefore = svc.service.policy.stats().rewards;
    const trace = await runOver(svc.baseUrl, createAgentBanditAgent(model));
    expect(trace.steps.map((s) => s.sql)).toEqual([TYPO_SQL, WRONG_SQL, RIGHT_SQL]);
    expect(trace.steps[0]?.arm).toBe('generate');
    expect(trace.steps.at(-1)?.isSuccess).toBe(true);
    // The second call's prompt is the recommendation the first step returned, and its step ran under that arm.
    expect(trace.steps[1]?.arm).toBe(trace.calls[1]?.arm);
    expect(trace.steps[1]?.arm).not.toBe('generate');
    expect(backend.calls[1]?.messages.map((m) => m.content).join('\n')).toContain(TYPO_SQL);
    expect(trace.calls.map((c) => [c.role, c.stepIndex])).toEqual([
      ['write', 0],
      ['rewrite', 1],
      ['rewrite', 2],
    ]);
    expect(svc.service.policy.stats().rewards).toBe(rewardsBefore + 2);
  });

  it('stops at maxAttempts before the server would', async () => {
    const { backend, model } = scripted(() => fenced(WRONG_SQL));
    const trace = await runOver(svc.baseUrl, createAgentBanditAgent(model, { maxAttempts: 2 }));
    expect(trace.steps).toHaveLength(2);
    expect(backend.calls).toHaveLength(2);
    expect(trace.isDone).toBe(false);
  });

  it('stops when the server runs out of attempts (MAX_ATTEMPTS=5)', async () => {
    const { model } = scripted(() => fenced(WRONG_SQL));
    const trace = await runOver(svc.baseUrl, createAgentBanditAgent(model, { maxAttempts: 50 }));
    expect(trace.steps.map((s) => s.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(trace.isDone).toBe(true);
  });
});

describe("bandit-repair agent with the server's model (tiny local model)", () => {
  let svc: TestService;
  beforeAll(async () => {
    const model = tinyModelDir({ script: `\`\`\`sqlite\n${WRONG_SQL}\n\`\`\`` }, 'bandit-wrong');
    svc = await startTestService({ MODEL_DIR: model.dir, MODEL_DEVICE: 'cpu', MAX_ATTEMPTS: '3', SCHEMA_INFO_MAX_CHARS: '1200' });
  });

  it("lets the server's model write every attempt with 'auto' and records the prompts it used", async () => {
    const trace = await runOver(svc.baseUrl, createServerBanditAgent());
    expect(trace.steps.map((s) => s.sql)).toEqual([WRONG_SQL, WRONG_SQL, WRONG_SQL]);
    expect(trace.isDone).toBe(true);
    expect(trace.steps[0]?.arm).toBe('generate');
    expect(trace.calls.map((c) => [c.role, c.source, c.stepIndex, c.promptTokens])).toEqual([
      ['write', 'server', 0, null],
      ['rewrite', 'server', 1, null],
      ['rewrite', 'server', 2, null],
    ]);
    expect(trace.calls[0]?.messages).toEqual(trace.initial.recommendation?.prompt);
    expect(trace.calls[1]?.arm).toBe(trace.steps[1]?.arm);
    expect(trace.calls[1]?.response).toBe(`\`\`\`sqlite\n${WRONG_SQL}\n\`\`\``);
  });

  it('ends at the first success', async () => {
    const right = await startTestService({ MODEL_DIR: tinyModelDir({ script: RIGHT_SQL }, 'bandit-right').dir, MODEL_DEVICE: 'cpu', SCHEMA_INFO_MAX_CHARS: '1200' });
    const solved = await runOver(right.baseUrl, createServerBanditAgent(), COUNT_QUESTION);
    expect(solved.steps).toEqual([expect.objectContaining({ attempt: 1, sql: RIGHT_SQL, isSuccess: true })]);
  });
});
