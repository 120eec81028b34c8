import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CLASSES } from '../../src/rl/error-class.js';
import { FAULT_KIND_NAMES } from '../../src/rl/faults/fault-kinds.js';
import { builtinGold } from '../helpers/builtin-gold.js';
import { getJson, postJson, startTestService, type TestService } from '../helpers/server.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});

describe("reset with mode 'repair'", () => {
  it('starts from a corrupted gold query with its real error and a logged recommendation; the gold SQL then succeeds', async () => {
    const reset = await postJson(svc.baseUrl, '/reset', { mode: 'repair', task_id: 'join_queries', seed: 3, episode_id: 'ep-repair-1' });
    expect(reset.status).toBe(200);
    expect(reset.body.done).toBe(false);
    const obs = reset.body.observation;
    const gold = builtinGold(obs.question_id);
    expect(obs.task_id).toBe('join_queries');
    expect(obs.attempt_number).toBe(0);
    expect(typeof obs.current_sql).toBe('string');
    expect(obs.current_sql).not.toBe(gold);
    expect(FAULT_KIND_NAMES).toContain(obs.injected_fault);
    expect(ERROR_CLASSES).toContain(obs.error_class);
    expect(obs.error_message.length).toBeGreaterThan(0);
    expect(obs.recommendation.decision_id).not.toBe('');
    expect(obs.recommendation.arm).not.toBe('generate');
    expect(obs.recommendation.scores).toHaveLength(10);

    const step = await postJson(svc.baseUrl, '/step', { action: { custom_sql: gold }, episode_id: 'ep-repair-1' });
    expect(step.status).toBe(200);
    expect(step.body.done).toBe(true);
    expect(step.body.observation).toMatchObject({ success: true, attempt_number: 1, error_class: null });
    const state = await getJson(svc.baseUrl, '/state?episode_id=ep-repair-1');
    expect(state.body).toMatchObject({ done: true, success: true, attempt: 1 });
  });

  it('gives the same corrupted query for the same seed', async () => {
    const a = await postJson(svc.baseUrl, '/reset', { mode: 'repair', task_id: 'join_queries', seed: 3, episode_id: 'ep-repair-2' });
    const b = await postJson(svc.baseUrl, '/reset', { mode: 'repair', task_id: 'join_queries', seed: 3, episode_id: 'ep-repair-3' });
    expect(a.body.observation.question_id).toBe(b.body.observation.question_id);
    expect(a.body.observation.current_sql).toBe(b.body.observation.current_sql);
    expect(a.body.observation.error_class).toBe(b.body.observation.error_class);
  });

  it('serves a curriculum: different seeds give different faults', async () => {
    const classes = new Set<string>();
    for (let seed = 0; seed < 8; seed += 1) {
      const res = await postJson(svc.baseUrl, '/reset', { mode: 'repair', task_id: 'simple_queries', seed, episode_id: `ep-curriculum-${seed}` });
      expect(res.body.observation.current_sql).not.toBeNull();
      classes.add(res.body.observation.error_class);
    }
    expect(classes.size).toBeGreaterThanOrEqual(3);
  });
});
