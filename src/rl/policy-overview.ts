import type { PolicyEvent } from './store/policy-store.js';

/** What the web viewer's policy page shows: usage and reward by error class and arm, and reward over time. */
export interface PolicyOverview {
  arms: string[];
  decisions: number;
  rewards: number;
  per_arm: { arm: string; n: number; mean_reward: number | null }[];
  by_error_class: { error_class: string; arm: string; decisions: number; rewarded: number; mean_reward: number | null }[];
  /** Mean observed reward of consecutive windows of rewarded decisions, in log order. */
  reward_curve: { decisions: number; mean_reward: number }[];
  /** This process's in-memory statistics after syncing with the store (other processes' events included). */
  learned?: { last_event_id: number; rewards: number; per_arm_n: number[] };
}

interface Cell {
  decisions: number;
  rewarded: number;
  rewardSum: number;
}

/** Folds decision and reward events (relabels excluded: they are credit, not observations) into the overview. */
export function summarizePolicy(events: readonly PolicyEvent[], armNames: readonly string[], curvePoints = 50): PolicyOverview {
  const classOf = new Map<string, string>();
  const cells = new Map<string, Cell>();
  const perArm = armNames.map(() => ({ n: 0, sum: 0 }));
  const rewardsInOrder: number[] = [];
  let decisions = 0;
  const cellOf = (errorClass: string, arm: number): Cell => {
    const key = `${errorClass}\u0000${arm}`;
    let cell = cells.get(key);
    if (cell === undefined) cells.set(key, (cell = { decisions: 0, rewarded: 0, rewardSum: 0 }));
    return cell;
  };
  for (const e of events) {
    if (e.kind === 'decision') {
      decisions += 1;
      const meta = (e.payload.meta ?? {}) as { errorClass?: unknown };
      const errorClass = typeof meta.errorClass === 'string' ? meta.errorClass : 'UNKNOWN';
      classOf.set(e.decisionId, errorClass);
      cellOf(errorClass, e.armIndex).decisions += 1;
    } else if (e.kind === 'reward' && e.value !== null) {
      const cell = cellOf(classOf.get(e.decisionId) ?? 'UNKNOWN', e.armIndex);
      cell.rewarded += 1;
      cell.rewardSum += e.value;
      const arm = perArm[e.armIndex];
      if (arm !== undefined) {
        arm.n += 1;
        arm.sum += e.value;
      }
      rewardsInOrder.push(e.value);
    }
  }
  return {
    arms: [...armNames],
    decisions,
    rewards: rewardsInOrder.length,
    per_arm: armNames.map((arm, i) => ({ arm, n: perArm[i]?.n ?? 0, mean_reward: perArm[i]?.n ? (perArm[i]?.sum ?? 0) / (perArm[i]?.n ?? 1) : null })),
    by_error_class: [...cells.entries()]
      .map(([key, c]) => {
        const [errorClass, arm] = key.split('\u0000') as [string, string];
        return { error_class: errorClass, arm: armNames[Number(arm)] ?? arm, decisions: c.decisions, rewarded: c.rewarded, mean_reward: c.rewarded === 0 ? null : c.rewardSum / c.rewarded };
      })
      .sort((a, b) => a.error_class.localeCompare(b.error_class) || b.decisions - a.decisions),
    reward_curve: rewardCurve(rewardsInOrder, curvePoints),
  };
}

function rewardCurve(rewards: readonly number[], points: number): { decisions: number; mean_reward: number }[] {
  if (rewards.length === 0) return [];
  const window = Math.max(1, Math.ceil(rewards.length / points));
  const curve: { decisions: number; mean_reward: number }[] = [];
  for (let start = 0; start < rewards.length; start += window) {
    const slice = rewards.slice(start, start + window);
    curve.push({ decisions: start + slice.length, mean_reward: slice.reduce((a, b) => a + b, 0) / slice.length });
  }
  return curve;
}
