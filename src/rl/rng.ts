/** A seeded uniform PRNG on [0, 1). */
export interface Rng {
  readonly seed: number;
  next(): number;
}

/**
 * mulberry32 (Tommy Ettinger): 32-bit state, full period 2^32, passes gjrand/PractRand at the sizes we draw.
 * Same seed → same sequence on every platform (only 32-bit integer ops).
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return {
    seed,
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
