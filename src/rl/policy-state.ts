import { createLinUcbModel, type LinUcbModel, type LinUcbModelOptions, type SerializedArmStats } from './linucb.js';
import type { PolicyEvent } from './store/policy-store.js';

/**
 * The policy's statistics as a fold of its event log in id order: a decision changes no statistic, a reward is a
 * LinUCB update (A += xxᵀ, b += r·x, n += 1), a relabel adds its delta to b only. Every process that applies the
 * same events in the same order holds bit-identical statistics.
 */
export interface ArmCounters {
  /** Σ observed rewards (TTL zeros included). */
  rewardSum: number;
  /** Σ hindsight relabel deltas. */
  relabelSum: number;
}

export interface SerializedPolicyState {
  lastEventId: number;
  decisions: number;
  rewards: number;
  relabels: number;
  arms: (SerializedArmStats & ArmCounters)[];
}

export interface PolicyState {
  readonly model: LinUcbModel;
  lastEventId(): number;
  /** Applies one event; returns false (and changes nothing) for an id already folded in. */
  apply(event: PolicyEvent): boolean;
  counters(): { decisions: number; rewards: number; relabels: number; arms: ArmCounters[] };
  exportState(): SerializedPolicyState;
  importState(state: SerializedPolicyState): void;
}

export function createPolicyState(options: LinUcbModelOptions): PolicyState {
  const model = createLinUcbModel(options);
  let lastEventId = 0;
  let decisions = 0;
  let rewards = 0;
  let relabels = 0;
  let arms: ArmCounters[] = Array.from({ length: options.armCount }, () => ({ rewardSum: 0, relabelSum: 0 }));

  const armCounters = (arm: number): ArmCounters => {
    const c = arms[arm];
    if (c === undefined) throw new RangeError(`event for arm ${arm}, policy has ${options.armCount} arms`);
    return c;
  };

  return {
    model,
    lastEventId: () => lastEventId,
    apply(event) {
      if (event.id <= lastEventId) return false;
      const x = Float64Array.from(event.x);
      if (event.kind === 'decision') {
        decisions += 1;
      } else if (event.kind === 'reward') {
        const r = event.value ?? 0;
        model.update(event.armIndex, x, r);
        armCounters(event.armIndex).rewardSum += r;
        rewards += 1;
      } else {
        const delta = event.value ?? 0;
        model.addReward(event.armIndex, x, delta);
        armCounters(event.armIndex).relabelSum += delta;
        relabels += 1;
      }
      lastEventId = event.id;
      return true;
    },
    counters: () => ({ decisions, rewards, relabels, arms: arms.map((a) => ({ ...a })) }),
    exportState: () => ({
      lastEventId,
      decisions,
      rewards,
      relabels,
      arms: model.exportStats().map((s, a) => ({ ...s, ...armCounters(a) })),
    }),
    importState(state) {
      model.importStats(state.arms);
      arms = state.arms.map((a) => ({ rewardSum: a.rewardSum, relabelSum: a.relabelSum }));
      ({ lastEventId, decisions, rewards, relabels } = state);
    },
  };
}

/** A state rebuilt from scratch by folding `events` (ascending ids), ignoring any snapshot. */
export function replayPolicyState(options: LinUcbModelOptions, events: Iterable<PolicyEvent>): PolicyState {
  const state = createPolicyState(options);
  for (const event of events) state.apply(event);
  return state;
}
