import type { SerializedPolicyState } from './policy-state.js';
import type { RelabelStep } from './hindsight.js';

/** The public shapes of the LinUCB policy (policy.ts). */
export interface DecideInput {
  x: Float64Array;
  /** Feasible arms (default all). */
  mask?: readonly boolean[];
  episodeId: string;
  /** Log-row context (repair-policy.md §2.4): errorClass, dbId, dialect, attempt, token… `errorClass` feeds reports. */
  meta?: Record<string, unknown>;
  /**
   * Records the arm an outside agent chose instead of sampling one (logged with `external: true`, its
   * probability under this policy kept as the propensity), so the policy learns from agents that ignore it.
   */
  forcedArm?: string;
}

export interface ArmScore {
  arm: string;
  mean: number;
  width: number;
  score: number;
  isFeasible: boolean;
}

export interface Decision {
  decisionId: string;
  episodeId: string;
  armName: string;
  armIndex: number;
  /** p(chosen arm | x) */
  probability: number;
  probabilities: number[];
  perArm: ArmScore[];
  isExplored: boolean;
  /** Id of the last event folded into the statistics that scored this decision. */
  policyVersion: number;
  alpha: number;
  epsilon: number;
  /** The uniform draw that picked the arm from `probabilities`. */
  draw: number;
  tsMs: number;
}

export interface RewardResult {
  isApplied: boolean;
  reason?: 'duplicate' | 'unknown-decision';
}

export interface PolicyStats {
  policyKey: string;
  featureSchemaHash: string;
  lastEventId: number;
  decisions: number;
  rewards: number;
  relabels: number;
  pending: number;
  alpha: number;
  epsilon: number;
  perArm: { arm: string; n: number; rewardSum: number; relabelSum: number; meanReward: number | null }[];
}

export interface LinUcbPolicy {
  readonly policyKey: string;
  readonly armNames: readonly string[];
  decide(input: DecideInput): Promise<Decision>;
  /** Applies r ∈ [0,1] once per decision; a second reward (or one after the TTL zero) is refused. */
  reward(decisionId: string, r: number, outcome?: Record<string, unknown>): Promise<RewardResult>;
  /** On success, relabels earlier decisions of the episode (hindsight.ts); returns what it relabelled. */
  endEpisode(episodeId: string, result: { isSuccess: boolean }): Promise<RelabelStep[]>;
  /** Gives reward 0 to every decision older than the TTL; returns how many it expired. */
  /** Stops waiting for a decision's reward (its arm never ran), so this process does not expire it with reward 0. */
  cancel(decisionId: string): void;
  expireStale(nowMs?: number): Promise<number>;
  /** Folds in every event appended since the last sync (other processes' included); returns how many. */
  sync(): Promise<number>;
  stats(): PolicyStats;
  exportState(): SerializedPolicyState;
  /** Writes a snapshot if anything changed since the last one; does not close the store. */
  close(): Promise<void>;
}
