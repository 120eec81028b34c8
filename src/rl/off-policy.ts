import { createRng } from './rng.js';

/**
 * Off-policy value estimators on logs with known propensities (repair-policy.md §2.2): IPS, SNIPS and doubly
 * robust, each with a CLT and a bootstrap 95% interval, and paired differences between two target policies on the
 * same logged events (far lower variance than comparing two separate intervals).
 */
export interface LoggedStep {
  armIndex: number;
  reward: number;
  /** μ(a_i | x_i), > 0 */
  propensity: number;
}

/** π(·|x_i) for each logged step i: a probability vector over arms. */
export type TargetProbabilities = readonly (readonly number[])[];
/** r̂(x_i, a) for each logged step i and arm a. */
export type RewardPredictions = readonly (readonly number[])[];

export interface Interval {
  value: number;
  cltLow: number;
  cltHigh: number;
  bootLow: number;
  bootHigh: number;
}

export interface PolicyValue {
  ips: Interval;
  snips: Interval;
  dr: Interval;
}

export interface OpeOptions {
  bootstrapSamples?: number;
  seed?: number;
}

const Z95 = 1.959963984540054;

interface Terms {
  weight: number[];
  ips: number[];
  dr: number[];
}

function terms(steps: readonly LoggedStep[], pi: TargetProbabilities, rhat: RewardPredictions): Terms {
  const weight: number[] = [];
  const ips: number[] = [];
  const dr: number[] = [];
  steps.forEach((s, i) => {
    const piRow = pi[i] ?? [];
    const rRow = rhat[i] ?? [];
    const w = (piRow[s.armIndex] ?? 0) / s.propensity;
    const direct = piRow.reduce((sum, p, a) => sum + p * (rRow[a] ?? 0), 0);
    weight.push(w);
    ips.push(w * s.reward);
    dr.push(direct + w * (s.reward - (rRow[s.armIndex] ?? 0)));
  });
  return { weight, ips, dr };
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((s, v) => s + v, 0) / xs.length);

function cltHalfWidth(xs: readonly number[]): number {
  if (xs.length < 2) return Infinity;
  const m = mean(xs);
  const variance = xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1);
  return (Z95 * Math.sqrt(variance)) / Math.sqrt(xs.length);
}

function snips(ips: readonly number[], weight: readonly number[]): number {
  const totalWeight = weight.reduce((s, v) => s + v, 0);
  return totalWeight === 0 ? 0 : ips.reduce((s, v) => s + v, 0) / totalWeight;
}

/** 95% percentile interval of `statistic` over bootstrap resamples of the event indices. */
function bootstrap(n: number, options: OpeOptions, statistic: (indices: Uint32Array) => number): [number, number] {
  const samples = options.bootstrapSamples ?? 1000;
  const rng = createRng(options.seed ?? 1);
  const values: number[] = [];
  const indices = new Uint32Array(n);
  for (let b = 0; b < samples; b++) {
    for (let i = 0; i < n; i++) indices[i] = Math.floor(rng.next() * n);
    values.push(statistic(indices));
  }
  values.sort((x, y) => x - y);
  const at = (q: number): number => values[Math.min(values.length - 1, Math.max(0, Math.floor(q * values.length)))] ?? NaN;
  return [at(0.025), at(0.975)];
}

const pick = (xs: readonly number[], indices: Uint32Array): number[] => Array.from(indices, (i) => xs[i] ?? 0);

function interval(xs: readonly number[], options: OpeOptions): Interval {
  const value = mean(xs);
  const half = cltHalfWidth(xs);
  const [bootLow, bootHigh] = bootstrap(xs.length, options, (idx) => mean(pick(xs, idx)));
  return { value, cltLow: value - half, cltHigh: value + half, bootLow, bootHigh };
}

/** IPS, SNIPS (delta-method CLT) and DR estimates of one target policy's value. */
export function estimateValue(steps: readonly LoggedStep[], pi: TargetProbabilities, rhat: RewardPredictions, options: OpeOptions = {}): PolicyValue {
  const t = terms(steps, pi, rhat);
  const value = snips(t.ips, t.weight);
  const meanWeight = mean(t.weight);
  const influence = t.ips.map((v, i) => (v - value * (t.weight[i] ?? 0)) / (meanWeight === 0 ? 1 : meanWeight));
  const half = cltHalfWidth(influence);
  const [bootLow, bootHigh] = bootstrap(steps.length, options, (idx) => snips(pick(t.ips, idx), pick(t.weight, idx)));
  return {
    ips: interval(t.ips, options),
    snips: { value, cltLow: value - half, cltHigh: value + half, bootLow, bootHigh },
    dr: interval(t.dr, options),
  };
}

/** V(π1) − V(π2) on the same events, per estimator, from the paired per-event differences. */
export function estimateDifference(
  steps: readonly LoggedStep[],
  pi1: TargetProbabilities,
  pi2: TargetProbabilities,
  rhat: RewardPredictions,
  options: OpeOptions = {},
): { ips: Interval; dr: Interval } {
  const a = terms(steps, pi1, rhat);
  const b = terms(steps, pi2, rhat);
  return {
    ips: interval(a.ips.map((v, i) => v - (b.ips[i] ?? 0)), options),
    dr: interval(a.dr.map((v, i) => v - (b.dr[i] ?? 0)), options),
  };
}
