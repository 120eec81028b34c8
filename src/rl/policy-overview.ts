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

/**
 * The overview as a running fold: events are added once, in log order, and `summary()` answers from the totals, so
 * the policy page costs the events written since its last load rather than the whole log.
 */
export class PolicyOverviewFold {
  /** Decision id → error class, until the decision's reward arrives. */
  private readonly classOf = new Map<string, string>();
  private readonly cells = new Map<string, Cell>();
  private readonly perArm: { n: number; sum: number }[];
  private readonly curve = new RewardCurve();
  private decisions = 0;
  private lastId = 0;

  constructor(private readonly armNames: readonly string[]) {
    this.perArm = armNames.map(() => ({ n: 0, sum: 0 }));
  }

  /** The id of the last event folded in; read the log after it. */
  get lastEventId(): number {
    return this.lastId;
  }

  /** Folds decision and reward events (relabels excluded: they are credit, not observations). */
  add(events: readonly PolicyEvent[]): void {
    for (const e of events) {
      if (e.id <= this.lastId) continue;
      this.lastId = e.id;
      if (e.kind === 'decision') {
        this.decisions += 1;
        const meta = (e.payload.meta ?? {}) as { errorClass?: unknown };
        const errorClass = typeof meta.errorClass === 'string' ? meta.errorClass : 'UNKNOWN';
        this.classOf.set(e.decisionId, errorClass);
        this.cellOf(errorClass, e.armIndex).decisions += 1;
      } else if (e.kind === 'reward' && e.value !== null) {
        const cell = this.cellOf(this.classOf.get(e.decisionId) ?? 'UNKNOWN', e.armIndex);
        this.classOf.delete(e.decisionId);
        cell.rewarded += 1;
        cell.rewardSum += e.value;
        const arm = this.perArm[e.armIndex];
        if (arm !== undefined) {
          arm.n += 1;
          arm.sum += e.value;
        }
        this.curve.add(e.value);
      }
    }
  }

  summary(curvePoints = 50): PolicyOverview {
    const { armNames, perArm } = this;
    return {
      arms: [...armNames],
      decisions: this.decisions,
      rewards: this.curve.count,
      per_arm: armNames.map((arm, i) => ({ arm, n: perArm[i]?.n ?? 0, mean_reward: perArm[i]?.n ? (perArm[i]?.sum ?? 0) / (perArm[i]?.n ?? 1) : null })),
      by_error_class: [...this.cells.entries()]
        .map(([key, c]) => {
          const [errorClass, arm] = key.split('\u0000') as [string, string];
          return { error_class: errorClass, arm: armNames[Number(arm)] ?? arm, decisions: c.decisions, rewarded: c.rewarded, mean_reward: c.rewarded === 0 ? null : c.rewardSum / c.rewarded };
        })
        .sort((a, b) => a.error_class.localeCompare(b.error_class) || b.decisions - a.decisions),
      reward_curve: this.curve.points(curvePoints),
    };
  }

  private cellOf(errorClass: string, arm: number): Cell {
    const key = `${errorClass}\u0000${arm}`;
    let cell = this.cells.get(key);
    if (cell === undefined) this.cells.set(key, (cell = { decisions: 0, rewarded: 0, rewardSum: 0 }));
    return cell;
  }
}

/** The overview of a list of events (see PolicyOverviewFold). */
export function summarizePolicy(events: readonly PolicyEvent[], armNames: readonly string[], curvePoints = 50): PolicyOverview {
  const fold = new PolicyOverviewFold(armNames);
  fold.add(events);
  return fold.summary(curvePoints);
}

/**
 * Observed rewards in log order, kept as at most MAX_BUCKETS running sums (neighbours merge as the log grows), so a
 * long-lived server's overview stays a few kilobytes. Up to MAX_BUCKETS rewards every reward has its own bucket.
 */
class RewardCurve {
  private static readonly MAX_BUCKETS = 4096;
  private buckets: { n: number; sum: number }[] = [];
  private width = 1;
  count = 0;

  add(reward: number): void {
    this.count += 1;
    const last = this.buckets.at(-1);
    if (last !== undefined && last.n < this.width) {
      last.n += 1;
      last.sum += reward;
      return;
    }
    this.buckets.push({ n: 1, sum: reward });
    if (this.buckets.length <= RewardCurve.MAX_BUCKETS) return;
    const merged: { n: number; sum: number }[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const [a, b] = [this.buckets[i] as { n: number; sum: number }, this.buckets[i + 1]];
      merged.push(b === undefined ? a : { n: a.n + b.n, sum: a.sum + b.sum });
    }
    this.buckets = merged;
    this.width *= 2;
  }

  /** Mean reward of about `points` consecutive windows, each with the number of rewards up to its end. */
  points(points: number): { decisions: number; mean_reward: number }[] {
    const per = Math.max(1, Math.ceil(this.buckets.length / points));
    const curve: { decisions: number; mean_reward: number }[] = [];
    let decisions = 0;
    for (let start = 0; start < this.buckets.length; start += per) {
      const window = this.buckets.slice(start, start + per);
      const n = window.reduce((a, b) => a + b.n, 0);
      decisions += n;
      curve.push({ decisions, mean_reward: window.reduce((a, b) => a + b.sum, 0) / n });
    }
    return curve;
  }
}
