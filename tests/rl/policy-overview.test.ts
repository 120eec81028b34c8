import { describe, expect, it } from 'vitest';
import { PolicyOverviewFold, summarizePolicy } from '../../src/rl/policy-overview.js';
import type { PolicyEvent } from '../../src/rl/store/policy-store.js';

const ARMS = ['FIX_IDENTIFIER', 'FIX_JOIN_PATH'];

function decision(id: number, decisionId: string, armIndex: number, errorClass: string): PolicyEvent {
  return { id, kind: 'decision', decisionId, episodeId: 'e', armIndex, value: null, x: [], payload: { meta: { errorClass } }, tsMs: id };
}
function reward(id: number, decisionId: string, armIndex: number, value: number, kind: 'reward' | 'relabel' = 'reward'): PolicyEvent {
  return { id, kind, decisionId, episodeId: 'e', armIndex, value, x: [], payload: {}, tsMs: id };
}

const LOG: PolicyEvent[] = [
  decision(1, 'd1', 0, 'UNKNOWN_COLUMN'),
  decision(2, 'd2', 1, 'UNKNOWN_TABLE'),
  reward(3, 'd1', 0, 1),
  decision(4, 'd3', 0, 'UNKNOWN_COLUMN'),
  reward(5, 'd2', 1, 0.2),
  reward(6, 'd1', 0, 0.5, 'relabel'),
  reward(7, 'd3', 0, 0),
];

describe('policy overview', () => {
  it('counts decisions and observed rewards by error class and arm, leaving relabels out', () => {
    const o = summarizePolicy(LOG, ARMS);
    expect([o.decisions, o.rewards]).toEqual([3, 3]);
    expect(o.per_arm).toEqual([
      { arm: 'FIX_IDENTIFIER', n: 2, mean_reward: 0.5 },
      { arm: 'FIX_JOIN_PATH', n: 1, mean_reward: 0.2 },
    ]);
    expect(o.by_error_class).toEqual([
      { error_class: 'UNKNOWN_COLUMN', arm: 'FIX_IDENTIFIER', decisions: 2, rewarded: 2, mean_reward: 0.5 },
      { error_class: 'UNKNOWN_TABLE', arm: 'FIX_JOIN_PATH', decisions: 1, rewarded: 1, mean_reward: 0.2 },
    ]);
  });

  it('folds the log in pieces, overlapping ones included, to the same overview as one pass', () => {
    const fold = new PolicyOverviewFold(ARMS);
    fold.add(LOG.slice(0, 3));
    expect(fold.lastEventId).toBe(3);
    fold.add(LOG.slice(1, 5));
    fold.add(LOG.slice(4));
    expect(fold.summary()).toEqual(summarizePolicy(LOG, ARMS));
  });

  it('draws the reward curve from bounded memory: windows of a long log still count every reward once', () => {
    const events: PolicyEvent[] = [];
    for (let i = 0; i < 10_000; i++) {
      events.push(decision(2 * i + 1, `d${i}`, 0, 'UNKNOWN_COLUMN'), reward(2 * i + 2, `d${i}`, 0, i < 5_000 ? 0 : 1));
    }
    const curve = summarizePolicy(events, ARMS, 10).reward_curve;
    expect(curve.length).toBeLessThanOrEqual(10);
    expect(curve.at(-1)?.decisions).toBe(10_000);
    expect(curve[0]?.mean_reward).toBe(0);
    expect(curve.at(-1)?.mean_reward).toBe(1);
    const perWindow = curve.map((p, i) => p.decisions - (curve[i - 1]?.decisions ?? 0));
    expect(Math.max(...perWindow) - Math.min(...perWindow.slice(0, -1))).toBe(0);
  });

  it('gives one window per reward while there are fewer rewards than points', () => {
    const curve = summarizePolicy(LOG, ARMS, 50).reward_curve;
    expect(curve).toEqual([
      { decisions: 1, mean_reward: 1 },
      { decisions: 2, mean_reward: 0.2 },
      { decisions: 3, mean_reward: 0 },
    ]);
  });
});
