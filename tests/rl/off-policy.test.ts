import { describe, expect, it } from 'vitest';
import { estimateDifference, estimateValue, type LoggedStep } from '../../src/rl/off-policy.js';

const steps: LoggedStep[] = [
  { armIndex: 0, reward: 1, propensity: 0.5 },
  { armIndex: 1, reward: 0, propensity: 0.25 },
  { armIndex: 0, reward: 0.5, propensity: 0.8 },
];
const pi = [
  [1, 0],
  [0, 1],
  [0, 1],
];
const rhat = [
  [0.6, 0.2],
  [0.5, 0.1],
  [0.4, 0.3],
];

describe('off-policy estimators', () => {
  it('computes IPS, SNIPS and DR exactly on a hand-worked log', () => {
    const v = estimateValue(steps, pi, rhat, { bootstrapSamples: 200 });
    // weights: 1/0.5 = 2, 1/0.25 = 4, 0/0.8 = 0
    expect(v.ips.value).toBeCloseTo((2 * 1 + 4 * 0 + 0) / 3, 15);
    expect(v.snips.value).toBeCloseTo(2 / 6, 15);
    const dr = [0.6 + 2 * (1 - 0.6), 0.1 + 4 * (0 - 0.1), 0.3 + 0];
    expect(v.dr.value).toBeCloseTo((dr[0]! + dr[1]! + dr[2]!) / 3, 15);
    for (const i of [v.ips, v.snips, v.dr]) {
      expect(i.cltLow).toBeLessThanOrEqual(i.value);
      expect(i.cltHigh).toBeGreaterThanOrEqual(i.value);
      expect(i.bootLow).toBeLessThanOrEqual(i.bootHigh);
    }
  });

  it('estimates the logging policy by the plain mean reward', () => {
    const logging = [
      [0.5, 0.5],
      [0.75, 0.25],
      [0.8, 0.2],
    ];
    const v = estimateValue(steps, logging, rhat);
    expect(v.ips.value).toBeCloseTo(0.5, 15);
    expect(v.snips.value).toBeCloseTo(0.5, 15);
  });

  it('gives a zero paired difference with a zero-width interval for a policy against itself', () => {
    const d = estimateDifference(steps, pi, pi, rhat, { bootstrapSamples: 100 });
    expect(d.dr).toEqual({ value: 0, cltLow: 0, cltHigh: 0, bootLow: 0, bootHigh: 0 });
  });

  it('draws the same bootstrap interval for the same seed', () => {
    const a = estimateValue(steps, pi, rhat, { seed: 9, bootstrapSamples: 300 });
    const b = estimateValue(steps, pi, rhat, { seed: 9, bootstrapSamples: 300 });
    expect(b).toEqual(a);
  });
});
