/**
 * mulberry32 (Tommy Ettinger): a seeded uniform PRNG on [0, 1) with 32-bit state and period 2^32. Same seed, same
 * sequence on every platform (only 32-bit integer ops). The one seeded generator of the project.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
