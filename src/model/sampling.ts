import { mulberry32 } from '../random.js';
/** Decoding parameters of one request. temperature ≤ 0 means greedy. */
export interface SamplingParams {
  temperature: number;
  topP: number;
  seed?: number;
}

export type Sampler = (logits: Float32Array) => number;

/** A seeded PRNG for reproducible sampling. */
export const createRng: (seed: number) => () => number = mulberry32;

/** Index of the largest logit; the first one wins ties. */
export function argmax(logits: Float32Array): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i] as number;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

const BINS = 1024;
// why: log-weights below −20 (< 2e-9 of the top token each) share the last bucket; only the boundary bucket is sorted.
const LOG_RANGE = 20;

function binOf(logWeight: number): number {
  return Math.min(BINS - 1, Math.floor((-logWeight / LOG_RANGE) * BINS));
}

/** Top-p without sorting the vocabulary: whole log-weight buckets from the top, then the boundary bucket sorted. */
function sampleNucleus(logits: Float32Array, weights: Float64Array, max: number, invT: number, mass: number, rand: () => number): number {
  const binMass = new Float64Array(BINS);
  for (let i = 0; i < weights.length; i++) {
    const bin = binOf(((logits[i] as number) - max) * invT);
    binMass[bin] = (binMass[bin] as number) + (weights[i] as number);
  }
  let boundary = 0;
  let above = 0;
  while (boundary < BINS - 1 && above + (binMass[boundary] as number) < mass) above += binMass[boundary++] as number;
  const edge: number[] = [];
  for (let i = 0; i < weights.length; i++) if (binOf(((logits[i] as number) - max) * invT) === boundary) edge.push(i);
  edge.sort((a, b) => (weights[b] as number) - (weights[a] as number));
  let kept = above;
  let edgeCount = 0;
  while (edgeCount < edge.length && kept < mass) kept += weights[edge[edgeCount++] as number] as number;
  let r = rand() * kept;
  for (let i = 0; i < weights.length && above > 0; i++) {
    if (binOf(((logits[i] as number) - max) * invT) >= boundary) continue;
    r -= weights[i] as number;
    if (r <= 0) return i;
  }
  for (let k = 0; k < edgeCount; k++) {
    r -= weights[edge[k] as number] as number;
    if (r <= 0) return edge[k] as number;
  }
  return edge[Math.max(0, edgeCount - 1)] ?? argmax(logits);
}

function sampleTopP(logits: Float32Array, params: SamplingParams, rand: () => number): number {
  const max = logits[argmax(logits)] as number;
  const invT = 1 / params.temperature;
  const weights = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const w = Math.exp(((logits[i] as number) - max) * invT);
    weights[i] = w;
    total += w;
  }
  if (params.topP < 1) return sampleNucleus(logits, weights, max, invT, params.topP * total, rand);
  let r = rand() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i] as number;
    if (r <= 0) return i;
  }
  return argmax(logits);
}

/** Greedy when temperature ≤ 0, else temperature + top-p sampling from a PRNG seeded by `seed` (random if absent). */
export function createSampler(params: SamplingParams): Sampler {
  if (params.temperature <= 0) return argmax;
  const rand = createRng(params.seed ?? Math.floor(Math.random() * 2 ** 32));
  return (logits) => sampleTopP(logits, params, rand);
}
