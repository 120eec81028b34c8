import type { PolicyEvent } from './store/policy-store.js';

/**
 * Hindsight relabelling of a successful episode (the original environment relabelled finished episodes).
 *
 * Rule: let d_0 … d_m be the episode's decisions in order; the episode succeeded after d_m. Each earlier decision
 * d_i (i < m) that already has its reward r_i is credited with the discounted value of the eventual success,
 * target_i = max(r_i, γ^(m−i)): the repair one step before the success gets γ, two steps before γ², and so on.
 * A repair that turned one failure into a more fixable one is what leads to success, so it should not be scored
 * as a plain 0; the discount keeps long detours cheap and the max never lowers an observed reward.
 *
 * The relabel is a correction of r_i, not a new observation: it adds (target_i − r_i)·x to b and leaves A and n
 * alone. It is its own event kind, unique per decision, so relabelling twice (or from two processes) is a no-op.
 * Decisions without a reward yet, and the last decision itself, are not relabelled.
 */
export interface RelabelStep {
  decisionId: string;
  armIndex: number;
  /** m − i */
  stepsBeforeLast: number;
  reward: number;
  target: number;
  delta: number;
}

export function relabelPlan(episodeEvents: readonly PolicyEvent[], gamma: number): RelabelStep[] {
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`hindsight gamma must be in [0, 1], got ${gamma}`);
  const decisions = episodeEvents.filter((e) => e.kind === 'decision').sort((a, b) => a.id - b.id);
  const rewards = new Map<string, number>();
  const relabelled = new Set<string>();
  for (const e of episodeEvents) {
    if (e.kind === 'reward') rewards.set(e.decisionId, e.value ?? 0);
    if (e.kind === 'relabel') relabelled.add(e.decisionId);
  }
  const last = decisions.length - 1;
  const plan: RelabelStep[] = [];
  decisions.slice(0, Math.max(0, last)).forEach((decision, i) => {
    const reward = rewards.get(decision.decisionId);
    if (reward === undefined || relabelled.has(decision.decisionId)) return;
    const stepsBeforeLast = last - i;
    const target = Math.max(reward, gamma ** stepsBeforeLast);
    const delta = target - reward;
    if (delta > 0) plan.push({ decisionId: decision.decisionId, armIndex: decision.armIndex, stepsBeforeLast, reward, target, delta });
  });
  return plan;
}
