/**
 * The exploration layer over LinUCB scores (repair-policy.md §0, §1.4 "what matters"): ε-greedy around the masked
 * UCB argmax, so every decision has a closed-form propensity p(a|x) > 0 for each feasible arm and OPE works.
 */

/** α_t = max(alphaMin, alpha0 / sqrt(1 + t/tau)); tau = Infinity keeps α constant. */
export interface AlphaSchedule {
  alpha0: number;
  alphaMin: number;
  /** Decay time constant, in rewarded decisions. */
  tau: number;
}

export function alphaAt(schedule: AlphaSchedule, t: number): number {
  if (!Number.isFinite(schedule.tau)) return schedule.alpha0;
  return Math.max(schedule.alphaMin, schedule.alpha0 / Math.sqrt(1 + Math.max(0, t) / schedule.tau));
}

/** Index of the highest score among feasible arms; ties go to the lowest index. Throws when none is feasible. */
export function greedyArm(scores: readonly number[], mask: readonly boolean[]): number {
  let best = -1;
  let bestScore = -Infinity;
  scores.forEach((s, a) => {
    if (mask[a] !== true) return;
    if (best === -1 || s > bestScore) {
      best = a;
      bestScore = s;
    }
  });
  if (best === -1) throw new RangeError('no feasible arm: the action mask excludes every arm');
  return best;
}

export interface ExplorationResult {
  /** p(a|x) for every arm: 0 when masked out, ε/m for other feasible arms, 1 − ε + ε/m for the greedy arm. */
  probabilities: number[];
  greedyIndex: number;
}

/** Closed-form ε-greedy propensities over the m feasible arms. */
export function epsilonGreedy(scores: readonly number[], mask: readonly boolean[], epsilon: number): ExplorationResult {
  if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`epsilon must be in [0, 1], got ${epsilon}`);
  if (mask.length !== scores.length) throw new RangeError(`mask has ${mask.length} entries for ${scores.length} arms`);
  const greedyIndex = greedyArm(scores, mask);
  const feasible = mask.filter((m) => m).length;
  const explore = epsilon / feasible;
  const probabilities = scores.map((_, a) => {
    if (mask[a] !== true) return 0;
    return a === greedyIndex ? 1 - epsilon + explore : explore;
  });
  return { probabilities, greedyIndex };
}

/** Inverse-CDF draw for u ∈ [0, 1); rounding slack falls on the last arm with p > 0, never on a masked arm. */
export function sampleArm(probabilities: readonly number[], u: number): number {
  let cumulative = 0;
  let lastPositive = -1;
  for (let a = 0; a < probabilities.length; a++) {
    const p = probabilities[a] ?? 0;
    if (p <= 0) continue;
    lastPositive = a;
    cumulative += p;
    if (u < cumulative) return a;
  }
  if (lastPositive === -1) throw new RangeError('probability vector has no positive entry');
  return lastPositive;
}
