import { describe, expect, it } from 'vitest';
import type { Interval } from '../../src/rl/off-policy.js';
import { buildPolicyReport, formatPolicyReport } from '../../src/rl/policy-report.js';
import { SYN_ARMS, SYN_META, SYN_TRUE, syntheticLog } from './synthetic-log.js';

const covers = (i: Interval, truth: number): boolean => i.cltLow <= truth && truth <= i.cltHigh && i.bootLow <= truth && truth <= i.bootHigh;

describe('policy report on a synthetic log with known values', () => {
  const events = syntheticLog(3000, 1);
  const report = buildPolicyReport({ meta: SYN_META, events, bootstrapSamples: 400, seed: 3 });
  const value = (p: string) => report.values.find((v) => v.policy === p)!.value;

  it('covers the true value of the fixed table and of the uniform policy with every estimator', () => {
    for (const est of ['ips', 'snips', 'dr'] as const) {
      expect(covers(value('fixed')[est], SYN_TRUE.fixed)).toBe(true);
      expect(covers(value('uniform')[est], SYN_TRUE.uniform)).toBe(true);
    }
  });

  it('finds the learned policy better than the fixed table, with a paired interval above 0 covering the true gap', () => {
    expect(covers(value('learned').dr, SYN_TRUE.oracle)).toBe(true);
    const learned = report.versusFixed.find((v) => v.policy === 'learned')!;
    expect(learned.dr.cltLow).toBeGreaterThan(0);
    expect(learned.dr.bootLow).toBeGreaterThan(0);
    expect(covers(learned.dr, SYN_TRUE.oracle - SYN_TRUE.fixed)).toBe(true);
    expect(learned.disagreement).toBeGreaterThan(0.28);
    expect(learned.disagreement).toBeLessThan(0.39);
  });

  it('estimates the logging policy by its mean reward', () => {
    const rewards = events.filter((e) => e.kind === 'reward').map((e) => e.value ?? 0);
    expect(value('logging').ips.value).toBeCloseTo(rewards.reduce((s, r) => s + r, 0) / rewards.length, 12);
  });

  it('counts arm usage by error class, the table arm most used in each class', () => {
    expect(report.usage.map((u) => u.errorClass)).toEqual(['EMPTY_RESULT', 'SYNTAX', 'UNKNOWN_COLUMN']);
    expect(report.usage.reduce((s, u) => s + u.counts.reduce((a, b) => a + b, 0), 0)).toBe(3000);
    const top = (c: string) => SYN_ARMS[report.usage.find((u) => u.errorClass === c)!.counts.reduce((best, n, a, all) => (n > all[best]! ? a : best), 0)];
    expect(top('EMPTY_RESULT')).toBe('RELAX_FILTERS');
    expect(top('SYNTAX')).toBe('FIX_SYNTAX_DIALECT');
  });

  it('counts unrewarded decisions as pending and leaves them out of the estimates', () => {
    const withPending = [...events, { ...events[0]!, id: 99_999, decisionId: 'open', kind: 'decision' as const }];
    const r = buildPolicyReport({ meta: SYN_META, events: withPending, bootstrapSamples: 10 });
    expect(r).toMatchObject({ decisions: 3001, rewarded: 3000, pending: 1 });
  });

  it('formats readable tables with every policy and arm', () => {
    const text = formatPolicyReport(report);
    expect(text).toContain('Policy synthetic: 3000 decisions, 3000 rewarded, 0 pending, 0 hindsight relabels');
    for (const p of ['logging', 'learned', 'fixed', 'uniform', 'learned − fixed']) expect(text).toMatch(new RegExp(`^${p}\\s`, 'm'));
    for (const arm of SYN_ARMS) expect(text).toContain(arm);
  });
});
