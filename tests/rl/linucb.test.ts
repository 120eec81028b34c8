import { inverse, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { createLinUcbModel } from '../../src/rl/linucb.js';
import { createRng } from '../../src/rl/rng.js';

const D = 8;

function randomX(next: () => number, d = D): Float64Array {
  const x = Float64Array.from({ length: d }, () => next());
  x[0] = 1;
  return x;
}

/** θ = A⁻¹b and xᵀA⁻¹x through a full ml-matrix inverse, the textbook Algorithm 1. */
function direct(A: Matrix, b: Float64Array, x: Float64Array): { theta: number[]; variance: number } {
  const inv = inverse(A);
  const theta = inv.mmul(Matrix.columnVector(Array.from(b))).to1DArray();
  const xv = Matrix.columnVector(Array.from(x));
  const variance = xv.transpose().mmul(inv).mmul(xv).get(0, 0);
  return { theta, variance };
}

describe('LinUCB model', () => {
  it('matches θ = A⁻¹b and the width α·sqrt(xᵀA⁻¹x) of a direct inverse, including λ and a prior', () => {
    const rng = createRng(7);
    const prior = Float64Array.from({ length: D }, (_, i) => (i === 3 ? 0.5 : 0));
    const model = createLinUcbModel({ armCount: 2, d: D, lambda: 0.7, priorTheta: [prior, undefined] });
    const seen: { x: Float64Array; r: number }[] = [];
    for (let t = 0; t < 60; t++) {
      const x = randomX(() => rng.next());
      const r = rng.next();
      model.update(0, x, r);
      seen.push({ x, r });
    }
    const A = Matrix.eye(D, D).mul(0.7);
    const b = prior.map((v) => 0.7 * v);
    for (const { x, r } of seen) {
      A.add(Matrix.columnVector(Array.from(x)).mmul(Matrix.rowVector(Array.from(x))));
      x.forEach((v, i) => (b[i] = (b[i] ?? 0) + r * v));
    }
    const probe = randomX(() => rng.next());
    const expected = direct(A, b, probe);
    const theta = model.theta(0);
    expected.theta.forEach((v, i) => expect(theta[i]).toBeCloseTo(v, 10));
    const est = model.estimate(0, probe, 1.5);
    expect(est.variance).toBeCloseTo(expected.variance, 12);
    expect(est.width).toBeCloseTo(1.5 * Math.sqrt(expected.variance), 12);
    expect(est.mean).toBeCloseTo(expected.theta.reduce((s, v, i) => s + v * (probe[i] ?? 0), 0), 10);
    expect(est.score).toBe(est.mean + est.width);
    expect(model.count(0)).toBe(60);
    expect(model.count(1)).toBe(0);
  });

  it('starts an untouched arm at its prior θ0 with variance xᵀx/λ', () => {
    const prior = Float64Array.from({ length: D }, (_, i) => i / 10);
    const model = createLinUcbModel({ armCount: 1, d: D, lambda: 2, priorTheta: [prior] });
    const theta = model.theta(0);
    prior.forEach((v, i) => expect(theta[i]).toBeCloseTo(v, 14));
    const x = Float64Array.from({ length: D }, () => 0.5);
    expect(model.estimate(0, x, 1).variance).toBeCloseTo((D * 0.25) / 2, 14);
  });

  it('keeps A exactly symmetric and the variance non-negative after many ill-conditioned updates', () => {
    const rng = createRng(11);
    const model = createLinUcbModel({ armCount: 1, d: D, lambda: 1e-3 });
    const base = randomX(() => rng.next());
    for (let t = 0; t < 5000; t++) {
      // why: near-collinear contexts make A ill-conditioned, where a Sherman–Morrison inverse drifts.
      const x = base.map((v) => v + 1e-6 * (rng.next() - 0.5));
      model.update(0, x, rng.next());
    }
    const A = model.designMatrix(0);
    expect(A.isSymmetric()).toBe(true);
    for (let k = 0; k < 200; k++) {
      const probe = Float64Array.from({ length: D }, () => rng.next() * 2 - 1);
      const est = model.estimate(0, probe, 1);
      expect(est.variance).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(est.width)).toBe(true);
    }
    const probe = randomX(() => rng.next());
    const { variance } = direct(A, model.response(0), probe);
    expect(model.estimate(0, probe, 1).variance).toBeCloseTo(variance, 6);
  });

  it('re-solves θ after a relabel that follows a scored update, still matching a direct inverse', () => {
    const rng = createRng(13);
    const model = createLinUcbModel({ armCount: 1, d: D });
    for (let t = 0; t < 30; t++) model.update(0, randomX(() => rng.next()), rng.next());
    const probe = randomX(() => rng.next());
    const before = model.estimate(0, probe, 1);
    model.addReward(0, probe, 0.5);
    const after = model.estimate(0, probe, 1);
    const expected = direct(model.designMatrix(0), model.response(0), probe);
    expect(after.mean).toBeGreaterThan(before.mean);
    expect(after.variance).toBe(before.variance);
    expect(after.mean).toBeCloseTo(expected.theta.reduce((s, v, i) => s + v * (probe[i] ?? 0), 0), 10);
  });

  it('applies a relabel delta to b only, leaving A and n unchanged', () => {
    const model = createLinUcbModel({ armCount: 1, d: 2 });
    const x = Float64Array.of(1, 0.5);
    model.update(0, x, 0);
    const before = model.designMatrix(0).to2DArray();
    model.addReward(0, x, 0.25);
    expect(model.designMatrix(0).to2DArray()).toEqual(before);
    expect(model.count(0)).toBe(1);
    expect(Array.from(model.response(0))).toEqual([0.25, 0.125]);
  });

  it('round-trips its statistics through export/import with identical estimates', () => {
    const rng = createRng(3);
    const a = createLinUcbModel({ armCount: 3, d: D });
    for (let t = 0; t < 40; t++) a.update(t % 3, randomX(() => rng.next()), rng.next());
    const b = createLinUcbModel({ armCount: 3, d: D });
    b.importStats(JSON.parse(JSON.stringify(a.exportStats())) as ReturnType<typeof a.exportStats>);
    const probe = randomX(() => rng.next());
    for (let arm = 0; arm < 3; arm++) expect(b.estimate(arm, probe, 1)).toEqual(a.estimate(arm, probe, 1));
  });

  it('rejects a context of the wrong dimension and an arm out of range', () => {
    const model = createLinUcbModel({ armCount: 2, d: 3 });
    expect(() => model.estimate(0, Float64Array.of(1, 2), 1)).toThrow(/length 2, expected 3/);
    expect(() => model.update(2, Float64Array.of(1, 2, 3), 1)).toThrow(/arm 2 out of range/);
  });
});
