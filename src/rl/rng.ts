import { mulberry32 } from '../random.js';

/** A seeded uniform PRNG on [0, 1) that remembers its seed (logged with each decision). */
export interface Rng {
  readonly seed: number;
  next(): number;
}

export function createRng(seed: number): Rng {
  return { seed, next: mulberry32(seed) };
}
