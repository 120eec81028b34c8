import { describe, expect, it } from 'vitest';
import { relabelPlan } from '../../src/rl/hindsight.js';
import type { PolicyEvent } from '../../src/rl/store/policy-store.js';

let nextId = 1;
const event = (kind: PolicyEvent['kind'], decisionId: string, value: number | null = null): PolicyEvent => ({
  id: nextId++, kind, decisionId, episodeId: 'ep', armIndex: 0, value, x: [1], payload: {}, tsMs: 0,
});

describe('hindsight relabel rule', () => {
  it('credits decision i with max(r_i, γ^(m−i)) and leaves the last decision alone', () => {
    const events = [event('decision', 'a'), event('reward', 'a', 0), event('decision', 'b'), event('reward', 'b', 0.1), event('decision', 'c'), event('reward', 'c', 0.9)];
    expect(relabelPlan(events, 0.6).map((s) => [s.decisionId, s.stepsBeforeLast, s.target, s.delta])).toEqual([
      ['a', 2, 0.6 ** 2, 0.6 ** 2],
      ['b', 1, 0.6, 0.6 - 0.1],
    ]);
  });

  it('never lowers a reward and skips decisions without a reward or already relabelled', () => {
    const events = [
      event('decision', 'high'), event('reward', 'high', 0.8),
      event('decision', 'open'),
      event('decision', 'done'), event('reward', 'done', 0), event('relabel', 'done', 0.5),
      event('decision', 'last'),
    ];
    expect(relabelPlan(events, 0.5)).toEqual([]);
  });

  it('does nothing for a one-decision episode and refuses γ outside [0, 1]', () => {
    expect(relabelPlan([event('decision', 'only'), event('reward', 'only', 0)], 0.5)).toEqual([]);
    expect(() => relabelPlan([], 1.5)).toThrow(RangeError);
  });
});
