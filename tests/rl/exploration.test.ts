import { describe, expect, it } from 'vitest';
import { alphaAt, epsilonGreedy, greedyArm, sampleArm } from '../../src/rl/exploration.js';
import { createRng } from '../../src/rl/rng.js';

describe('exploration layer', () => {
  it('breaks ties by arm order: the lowest index among equal top scores is greedy', () => {
    expect(greedyArm([0.3, 0.9, 0.9, 0.1], [true, true, true, true])).toBe(1);
    expect(greedyArm([0.9, 0.9], [false, true])).toBe(1);
  });

  it('gives the closed-form ε-greedy propensities and zero to masked arms', () => {
    const { probabilities, greedyIndex } = epsilonGreedy([0.5, 2, 1, 3], [true, true, true, false], 0.1);
    expect(greedyIndex).toBe(1);
    expect(probabilities[3]).toBe(0);
    expect(probabilities[1]).toBeCloseTo(1 - 0.1 + 0.1 / 3, 15);
    expect(probabilities[0]).toBeCloseTo(0.1 / 3, 15);
    expect(probabilities[2]).toBeCloseTo(0.1 / 3, 15);
    expect(probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 15);
  });

  it('gives probability 1 to the only feasible arm and refuses an all-false mask', () => {
    expect(epsilonGreedy([1, 2, 3], [false, true, false], 0.5).probabilities).toEqual([0, 1, 0]);
    expect(() => epsilonGreedy([1, 2], [false, false], 0.1)).toThrow(/no feasible arm/);
  });

  it('never samples a masked arm, and its empirical frequencies follow the probabilities', () => {
    const probabilities = epsilonGreedy([0, 1, 0, 0], [true, true, false, true], 0.3).probabilities;
    const rng = createRng(5);
    const counts = [0, 0, 0, 0];
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[sampleArm(probabilities, rng.next())]! += 1;
    expect(counts[2]).toBe(0);
    counts.forEach((c, a) => expect(Math.abs(c / n - (probabilities[a] ?? 0))).toBeLessThan(0.015));
    expect(sampleArm([0.5, 0.5, 0], 0.9999999999999999)).toBe(1);
  });

  it('produces the same draws for the same seed and different ones for another seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
    sa.forEach((u) => expect(u >= 0 && u < 1).toBe(true));
  });

  it('decays α as max(αmin, α0/sqrt(1+t/τ)) and keeps it constant for τ = ∞', () => {
    const schedule = { alpha0: 2, alphaMin: 0.5, tau: 100 };
    expect(alphaAt(schedule, 0)).toBe(2);
    expect(alphaAt(schedule, 300)).toBeCloseTo(1, 15);
    expect(alphaAt(schedule, 1e6)).toBe(0.5);
    expect(alphaAt({ ...schedule, tau: Infinity }, 1e6)).toBe(2);
  });
});
