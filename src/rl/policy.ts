import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { alphaAt, epsilonGreedy, sampleArm, type AlphaSchedule } from './exploration.js';
import { createPolicyState, type SerializedPolicyState } from './policy-state.js';
import { createRng } from './rng.js';
import { policyKeyOf, type PolicyEvent, type PolicyStore } from './store/policy-store.js';
import { relabelPlan, type RelabelStep } from './hindsight.js';

/**
 * The LinUCB repair policy (repair-policy.md §0, §1.4): disjoint LinUCB scores, an ε-greedy layer with logged
 * propensities, delayed idempotent rewards, a TTL zero reward, hindsight relabelling, and state that is a fold of
 * the store's event log. Every write goes to the store first and is then folded in through `sync()`, in id order,
 * so all processes sharing a store hold identical statistics.
 */
export interface LinUcbPolicyOptions {
  armNames: readonly string[];
  d: number;
  featureSchemaHash: string;
  /** A number α0 decays with DEFAULT_ALPHA_DECAY; pass a schedule to choose (tau: Infinity = constant). */
  alpha: number | AlphaSchedule;
  epsilon: number;
  seed: number;
  /** Ridge λ; default 1. */
  lambda?: number;
  /** θ0 per arm name (warm-start.ts buildPriorTheta). */
  prior?: Readonly<Record<string, Float64Array>>;
  /** A decision with no reward this long after it was made gets reward 0. */
  rewardTtlMs: number;
  /** Hindsight discount γ (hindsight.ts); default 0.5. */
  hindsightGamma?: number;
  /** Write a snapshot after this many folded reward/relabel events; default 100. */
  snapshotEvery?: number;
  /** Pull other processes' events before each decision; default true. */
  isSyncOnDecide?: boolean;
  store: PolicyStore;
  log: Logger;
  now?: () => number;
}

/** α0 = POLICY_ALPHA decays to a quarter of itself; τ = 250 rewards ≈ K·d, the data needed for estimates to settle. */
export const DEFAULT_ALPHA_DECAY = { alphaMinRatio: 0.25, tau: 250 } as const;

export interface DecideInput {
  x: Float64Array;
  /** Feasible arms (default all). */
  mask?: readonly boolean[];
  episodeId: string;
  /** Log-row context (repair-policy.md §2.4): errorClass, dbId, dialect, attempt, token… `errorClass` feeds reports. */
  meta?: Record<string, unknown>;
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
  expireStale(nowMs?: number): Promise<number>;
  /** Folds in every event appended since the last sync (other processes' included); returns how many. */
  sync(): Promise<number>;
  stats(): PolicyStats;
  exportState(): SerializedPolicyState;
  /** Writes a snapshot if anything changed since the last one; does not close the store. */
  close(): Promise<void>;
}

const PAGE = 500;

export async function createLinUcbPolicy(options: LinUcbPolicyOptions): Promise<LinUcbPolicy> {
  const { armNames, d, featureSchemaHash, store, epsilon } = options;
  const log = options.log.child({ mod: 'rl.policy' });
  const now = options.now ?? Date.now;
  const schedule: AlphaSchedule =
    typeof options.alpha === 'number'
      ? { alpha0: options.alpha, alphaMin: options.alpha * DEFAULT_ALPHA_DECAY.alphaMinRatio, tau: DEFAULT_ALPHA_DECAY.tau }
      : options.alpha;
  const gamma = options.hindsightGamma ?? 0.5;
  const snapshotEvery = options.snapshotEvery ?? 100;
  const lambda = options.lambda ?? 1;
  const priorTheta = armNames.map((a) => options.prior?.[a]);
  const state = createPolicyState({ armCount: armNames.length, d, lambda, priorTheta });
  const rng = createRng(options.seed);
  const policyKey = policyKeyOf(armNames, d, featureSchemaHash);
  const pending = new Map<string, PolicyEvent>();
  let changesSinceSnapshot = 0;

  await store.open({
    policyKey,
    armNames: [...armNames],
    d,
    featureSchemaHash,
    config: { lambda, schedule, epsilon, seed: options.seed, prior: Object.fromEntries(Object.entries(options.prior ?? {}).map(([k, v]) => [k, Array.from(v)])) },
  });
  const snapshot = await store.loadLatestSnapshot();
  if (snapshot !== undefined) {
    if (snapshot.featureSchemaHash !== featureSchemaHash) throw new Error('policy snapshot has another feature schema hash');
    state.importState(snapshot.state);
  }
  for (const decision of await store.pendingDecisions(state.lastEventId())) pending.set(decision.decisionId, decision);

  const fold = (event: PolicyEvent): boolean => {
    if (!state.apply(event)) return false;
    if (event.kind === 'decision') pending.set(event.decisionId, event);
    else changesSinceSnapshot += 1;
    if (event.kind === 'reward') pending.delete(event.decisionId);
    return true;
  };

  const writeSnapshot = async (): Promise<void> => {
    changesSinceSnapshot = 0;
    await store.appendSnapshot({ lastEventId: state.lastEventId(), featureSchemaHash, state: state.exportState(), tsMs: now() });
  };

  const sync = async (): Promise<number> => {
    let applied = 0;
    for (;;) {
      const events = await store.eventsAfter(state.lastEventId(), PAGE);
      for (const event of events) if (fold(event)) applied += 1;
      if (events.length < PAGE) break;
    }
    if (changesSinceSnapshot >= snapshotEvery) await writeSnapshot();
    return applied;
  };

  const currentAlpha = (): number => alphaAt(schedule, state.counters().rewards);

  const appendReward = async (decisionId: string, kind: 'reward' | 'relabel', value: number, payload: Record<string, unknown>): Promise<RewardResult> => {
    const result = await store.appendReward({ kind, decisionId, value, payload, tsMs: now() });
    await sync();
    return result === 'inserted' ? { isApplied: true } : { isApplied: false, reason: result };
  };

  const expireStale = async (nowMs = now()): Promise<number> => {
    await sync();
    const stale = [...pending.values()].filter((p) => nowMs - p.tsMs >= options.rewardTtlMs);
    let expired = 0;
    for (const p of stale) {
      const result = await appendReward(p.decisionId, 'reward', 0, { source: 'ttl', rewardTtlMs: options.rewardTtlMs });
      if (result.isApplied) expired += 1;
    }
    if (expired > 0) log.info({ expired }, 'policy decisions expired with reward 0');
    return expired;
  };

  await sync();
  log.info({ policyKey, lastEventId: state.lastEventId(), pending: pending.size, store: store.kind }, 'policy loaded');

  return {
    policyKey,
    armNames,
    async decide(input) {
      const mask = checkDecideInput(input, armNames.length, d);
      if (options.isSyncOnDecide ?? true) await sync();
      const nowMs = now();
      // why: a caller that never schedules expireStale still gets its abandoned decisions closed with reward 0.
      if ([...pending.values()].some((p) => nowMs - p.tsMs >= options.rewardTtlMs)) await expireStale(nowMs);
      const alpha = currentAlpha();
      const estimates = armNames.map((_, a) => state.model.estimate(a, input.x, alpha));
      const { probabilities, greedyIndex } = epsilonGreedy(
        estimates.map((e) => e.score),
        mask,
        epsilon,
      );
      const draw = rng.next();
      const armIndex = sampleArm(probabilities, draw);
      const perArm = estimates.map((e, a) => ({ arm: armNames[a] ?? '', mean: e.mean, width: e.width, score: e.score, isFeasible: mask[a] === true }));
      const decision: Decision = {
        decisionId: randomUUID(),
        episodeId: input.episodeId,
        armName: armNames[armIndex] ?? '',
        armIndex,
        probability: probabilities[armIndex] ?? 0,
        probabilities,
        perArm,
        isExplored: armIndex !== greedyIndex,
        policyVersion: state.lastEventId(),
        alpha,
        epsilon,
        draw,
        tsMs: nowMs,
      };
      const { decisionId, episodeId, tsMs, ...logged } = decision;
      await store.appendDecision({
        decisionId,
        episodeId,
        armIndex,
        x: Array.from(input.x),
        payload: { ...logged, mask: [...mask], seed: options.seed, featureSchemaHash, meta: input.meta ?? {} },
        tsMs,
      });
      await sync();
      log.debug({ decisionId, episodeId, arm: decision.armName, p: decision.probability, isExplored: decision.isExplored }, 'policy decision');
      return decision;
    },
    async reward(decisionId, r, outcome) {
      if (!(r >= 0 && r <= 1)) throw new RangeError(`reward must be in [0, 1], got ${r}`);
      return appendReward(decisionId, 'reward', r, { source: 'observed', outcome: outcome ?? {} });
    },
    async endEpisode(episodeId, result) {
      if (!result.isSuccess) return [];
      await sync();
      const plan = relabelPlan(await store.episodeEvents(episodeId), gamma);
      const done: RelabelStep[] = [];
      for (const step of plan) {
        const applied = await appendReward(step.decisionId, 'relabel', step.delta, { rule: 'hindsight', gamma, ...step });
        if (applied.isApplied) done.push(step);
      }
      if (done.length > 0) log.debug({ episodeId, relabelled: done.length }, 'policy hindsight relabel');
      return done;
    },
    expireStale,
    sync,
    stats() {
      const counters = state.counters();
      return {
        policyKey,
        featureSchemaHash,
        lastEventId: state.lastEventId(),
        decisions: counters.decisions,
        rewards: counters.rewards,
        relabels: counters.relabels,
        pending: pending.size,
        alpha: currentAlpha(),
        epsilon,
        perArm: armNames.map((arm, a) => {
          const n = state.model.count(a);
          const c = counters.arms[a] ?? { rewardSum: 0, relabelSum: 0 };
          return { arm, n, rewardSum: c.rewardSum, relabelSum: c.relabelSum, meanReward: n === 0 ? null : c.rewardSum / n };
        }),
      };
    },
    exportState: () => state.exportState(),
    async close() {
      if (changesSinceSnapshot > 0) await writeSnapshot();
    },
  };
}

function checkDecideInput(input: DecideInput, armCount: number, d: number): readonly boolean[] {
  if (input.x.length !== d) throw new RangeError(`context has length ${input.x.length}, expected ${d}`);
  if (!input.x.every(Number.isFinite)) throw new RangeError('context has a non-finite entry');
  const mask = input.mask ?? Array.from({ length: armCount }, () => true);
  if (mask.length !== armCount) throw new RangeError(`mask has ${mask.length} entries for ${armCount} arms`);
  return mask;
}
