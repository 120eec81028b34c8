import { createHash } from 'node:crypto';
import type { SerializedPolicyState } from '../policy-state.js';

/**
 * The durable policy log (repair-policy.md §1.4 "persistence"): an append-only event log plus snapshots of the
 * per-arm statistics. The statistics are a fold of the reward/relabel events in id order, so any process can
 * rebuild them: latest snapshot, then every event after its lastEventId.
 *
 * A write is acknowledged when its promise resolves; from then on it survives a crash of the writer.
 * Rewards and relabels are unique per (policy, kind, decision id), which makes them idempotent across processes.
 */
export type PolicyEventKind = 'decision' | 'reward' | 'relabel';

export interface PolicyEvent {
  /** Monotone id; the store guarantees that ids become visible in increasing order. */
  id: number;
  kind: PolicyEventKind;
  decisionId: string;
  episodeId: string;
  armIndex: number;
  /** reward: r ∈ [0,1]; relabel: the reward delta added to b; decision: null. */
  value: number | null;
  /** The decision's context vector (joined from the decision row for reward/relabel events). */
  x: number[];
  payload: Record<string, unknown>;
  tsMs: number;
}

export interface NewDecisionEvent {
  decisionId: string;
  episodeId: string;
  armIndex: number;
  x: number[];
  payload: Record<string, unknown>;
  tsMs: number;
}

export interface NewRewardEvent {
  kind: 'reward' | 'relabel';
  decisionId: string;
  value: number;
  payload: Record<string, unknown>;
  tsMs: number;
}

export type AppendRewardResult = 'inserted' | 'duplicate' | 'unknown-decision';

/** What identifies one policy inside a store; the key changes when the arms, d or feature schema change. */
export interface PolicyMeta {
  policyKey: string;
  armNames: string[];
  d: number;
  featureSchemaHash: string;
  /** λ, prior and exploration settings, informational (latest writer wins). */
  config: Record<string, unknown>;
}

export interface PolicySnapshot {
  lastEventId: number;
  featureSchemaHash: string;
  state: SerializedPolicyState;
  tsMs: number;
}

/** Told how long a write transaction of the policy log took, in seconds, once it committed. */
export type CommitObserver = (seconds: number) => void;

export interface PolicyStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates tables if needed, records the meta row and scopes every later call to meta.policyKey. */
  open(meta: PolicyMeta): Promise<void>;
  listPolicies(): Promise<PolicyMeta[]>;
  appendDecision(event: NewDecisionEvent): Promise<number>;
  /** 'duplicate' when this decision already has an event of that kind; nothing is written then. */
  appendReward(event: NewRewardEvent): Promise<AppendRewardResult>;
  /** Also drops this policy's older snapshots: only the SNAPSHOTS_KEPT with the highest lastEventId stay. */
  appendSnapshot(snapshot: PolicySnapshot): Promise<void>;
  loadLatestSnapshot(): Promise<PolicySnapshot | undefined>;
  /** Events with id > afterId, ascending, at most `limit`. */
  eventsAfter(afterId: number, limit: number): Promise<PolicyEvent[]>;
  /** Every event of one episode, ascending. */
  episodeEvents(episodeId: string): Promise<PolicyEvent[]>;
  /** Decisions with id ≤ upToId that have no reward event yet. */
  pendingDecisions(upToId: number): Promise<PolicyEvent[]>;
  close(): Promise<void>;
}

/**
 * Snapshots kept per policy. Only the latest is ever loaded; kept forever, they grew by the size of the statistics
 * (~20 KB at 10 arms × 26 features) every snapshotEvery events, ~10% of the policy file in bench:server runs at one
 * snapshot per 100 events. The one before the latest stays for manual recovery should the latest ever be unusable.
 */
export const SNAPSHOTS_KEPT = 2;

/** A stable key for (arms, d, feature schema): events of another schema are never mixed in. */
export function policyKeyOf(armNames: readonly string[], d: number, featureSchemaHash: string): string {
  return createHash('sha256').update(JSON.stringify({ armNames, d, featureSchemaHash })).digest('hex').slice(0, 16);
}
