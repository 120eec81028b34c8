import { v7 as uuidv7 } from 'uuid';
import type { Logger } from '../logger.js';
import { alphaAt, epsilonGreedy, sampleArm, type AlphaSchedule } from './exploration.js';
import { createPolicyState } from './policy-state.js';
import { createRng } from './rng.js';
import { relabelPlan, type RelabelStep } from './hindsight.js';
import type { DecideInput, Decision, LinUcbPolicy, RewardResult } from './policy-types.js';
import { policyKeyOf, type PolicyEvent, type PolicyStore } from './store/policy-store.js';

export type { ArmScore, DecideInput, Decision, LinUcbPolicy, PolicyStats, RewardResult } from './policy-types.js';

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
  /** Write a snapshot after this many folded reward/relabel events; default 1,000. */
  snapshotEvery?: number;
  /** Episodes whose events are kept in memory for the hindsight plan; default 10,000. */
  maxEpisodeLogs?: number;
  /** Pull other processes' events before each decision; default true. */
  isSyncOnDecide?: boolean;
  store: PolicyStore;
  log: Logger;
  now?: () => number;
}

/** α0 = POLICY_ALPHA decays to a quarter of itself; τ = 250 rewards ≈ K·d, the data needed for estimates to settle. */
export const DEFAULT_ALPHA_DECAY = { alphaMinRatio: 0.25, tau: 250 } as const;

const PAGE = 500;

/**
 * The per-arm mean, width and score are logged to 6 decimals (the reply carries them in full). why: they are
 * diagnostics, not inputs of the replayed statistics or of off-policy estimates (those use x, rewards and the
 * exact probabilities), and 17-digit doubles were a third of the decision row, the bulk of what a step writes.
 * Rounded, the row is ~25% shorter and V8 formats the numbers faster.
 */
function toLogPrecision(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Far above the episodes one process runs at once (MAX_CONCURRENT_ENVS). */
const DEFAULT_MAX_EPISODE_LOGS = 10_000;

export async function createLinUcbPolicy(options: LinUcbPolicyOptions): Promise<LinUcbPolicy> {
  const { armNames, d, featureSchemaHash, store, epsilon } = options;
  const log = options.log.child({ mod: 'rl.policy' });
  const now = options.now ?? Date.now;
  const schedule: AlphaSchedule =
    typeof options.alpha === 'number'
      ? { alpha0: options.alpha, alphaMin: options.alpha * DEFAULT_ALPHA_DECAY.alphaMinRatio, tau: DEFAULT_ALPHA_DECAY.tau }
      : options.alpha;
  const gamma = options.hindsightGamma ?? 0.5;
  // why 1,000: a load replays at most this many events after the snapshot (a few ms), while each snapshot serialises
  // every arm's statistics (~20 KB of JSON), writes it and prunes the one before; at 100 that was ~10% of the
  // episode core's main-thread CPU under load (bench:server's in-process target).
  const snapshotEvery = options.snapshotEvery ?? 1000;
  const lambda = options.lambda ?? 1;
  const priorTheta = armNames.map((a) => options.prior?.[a]);
  const state = createPolicyState({ armCount: armNames.length, d, lambda, priorTheta });
  const rng = createRng(options.seed);
  const policyKey = policyKeyOf(armNames, d, featureSchemaHash);
  /** Unrewarded decisions (any process's): decision id → decision time. */
  const pending = new Map<string, number>();
  /**
   * The events of the episodes this process is deciding for, as folded, so that a success's hindsight plan needs
   * no query: created by an episode's first decide() here, ended by endEpisode(). An episode id reused after its
   * end (or after a restart) starts a new log, so only the decisions of the episode that succeeded are credited.
   * Past maxEpisodeLogs the oldest log is dropped and its episode is planned from the store instead.
   */
  const episodeLogs = new Map<string, PolicyEvent[]>();
  const evictedLogs = new Set<string>();
  const maxEpisodeLogs = options.maxEpisodeLogs ?? DEFAULT_MAX_EPISODE_LOGS;
  const startEpisodeLog = (episodeId: string): void => {
    if (episodeLogs.has(episodeId) || evictedLogs.has(episodeId)) return;
    episodeLogs.set(episodeId, []);
    if (episodeLogs.size <= maxEpisodeLogs) return;
    const oldest = episodeLogs.keys().next().value as string;
    episodeLogs.delete(oldest);
    // why bounded: only abandoned episodes stay here; forgetting one costs its relabels a query, nothing more.
    if (evictedLogs.size >= maxEpisodeLogs) evictedLogs.clear();
    evictedLogs.add(oldest);
  };
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
  for (const decision of await store.pendingDecisions(state.lastEventId())) pending.set(decision.decisionId, decision.tsMs);

  const fold = (event: PolicyEvent): boolean => {
    if (!state.apply(event)) return false;
    // why a slim copy: the plan reads ids, kinds, arms and values; x and payload would pin ~2 KB per event.
    episodeLogs.get(event.episodeId)?.push({ ...event, x: [], payload: {} });
    if (event.kind === 'decision') pending.set(event.decisionId, event.tsMs);
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
    const stale = [...pending.entries()].filter(([, tsMs]) => nowMs - tsMs >= options.rewardTtlMs).map(([id]) => id);
    let expired = 0;
    for (const decisionId of stale) {
      const result = await appendReward(decisionId, 'reward', 0, { source: 'ttl', rewardTtlMs: options.rewardTtlMs });
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
      // `pending` is in event-id (≈ time) order, so only its oldest entry needs looking at.
      const oldestPendingMs = pending.values().next().value;
      if (oldestPendingMs !== undefined && nowMs - oldestPendingMs >= options.rewardTtlMs) await expireStale(nowMs);
      const alpha = currentAlpha();
      const estimates = armNames.map((_, a) => state.model.estimate(a, input.x, alpha));
      const { probabilities, greedyIndex } = epsilonGreedy(
        estimates.map((e) => e.score),
        mask,
        epsilon,
      );
      const draw = rng.next();
      const forcedIndex = input.forcedArm === undefined ? -1 : armNames.indexOf(input.forcedArm);
      if (input.forcedArm !== undefined && forcedIndex < 0) throw new RangeError(`unknown arm '${input.forcedArm}'`);
      const armIndex = forcedIndex >= 0 ? forcedIndex : sampleArm(probabilities, draw);
      const perArm = estimates.map((e, a) => ({ arm: armNames[a] ?? '', mean: e.mean, width: e.width, score: e.score, isFeasible: mask[a] === true }));
      const decision: Decision = {
        decisionId: uuidv7(),
        episodeId: input.episodeId,
        armName: armNames[armIndex] ?? '',
        armIndex,
        probability: probabilities[armIndex] ?? 0,
        probabilities,
        perArm,
        isExplored: forcedIndex < 0 && armIndex !== greedyIndex,
        policyVersion: state.lastEventId(),
        alpha,
        epsilon,
        draw,
        tsMs: nowMs,
      };
      const { decisionId, episodeId, tsMs } = decision;
      const appended = {
        decisionId,
        episodeId,
        armIndex,
        x: Array.from(input.x),
        // why per-arm arrays, not perArm: the arm names and feasibility are already in policy_meta and `mask`, and
        // the objects made the decision row (the bulk of what a step writes to the store) twice as long.
        // why spelled out rather than a rest copy of `decision`: a rest copy and a spread of it went through V8's
        // slow property-definition path on every decision.
        payload: {
          armName: decision.armName,
          armIndex,
          probability: decision.probability,
          probabilities,
          isExplored: decision.isExplored,
          policyVersion: decision.policyVersion,
          alpha,
          epsilon,
          draw,
          mean: estimates.map((e) => toLogPrecision(e.mean)),
          width: estimates.map((e) => toLogPrecision(e.width)),
          score: estimates.map((e) => toLogPrecision(e.score)),
          mask: [...mask],
          seed: options.seed,
          featureSchemaHash,
          meta: { ...input.meta, ...(forcedIndex >= 0 ? { external: true } : {}) },
        },
        tsMs,
      };
      startEpisodeLog(episodeId);
      const id = await store.appendDecision(appended);
      // why: when no other writer came in between, fold our own event instead of reading it back (hot path).
      if (id === state.lastEventId() + 1) fold({ id, kind: 'decision', value: null, ...appended });
      else await sync();
      log.debug({ decisionId, episodeId, arm: decision.armName, p: decision.probability, isExplored: decision.isExplored }, 'policy decision');
      return decision;
    },
    async reward(decisionId, r, outcome) {
      if (!(r >= 0 && r <= 1)) throw new RangeError(`reward must be in [0, 1], got ${r}`);
      return appendReward(decisionId, 'reward', r, { source: 'observed', outcome: outcome ?? {} });
    },
    async endEpisode(episodeId, result) {
      if (!result.isSuccess) {
        episodeLogs.delete(episodeId);
        evictedLogs.delete(episodeId);
        return [];
      }
      await sync();
      const folded = episodeLogs.get(episodeId);
      episodeLogs.delete(episodeId);
      evictedLogs.delete(episodeId);
      const plan = relabelPlan(folded ?? (await store.episodeEvents(episodeId)), gamma);
      const done: RelabelStep[] = [];
      for (const step of plan) {
        const applied = await appendReward(step.decisionId, 'relabel', step.delta, { rule: 'hindsight', gamma, ...step });
        if (applied.isApplied) done.push(step);
      }
      if (done.length > 0) log.debug({ episodeId, relabelled: done.length }, 'policy hindsight relabel');
      return done;
    },
    cancel(decisionId) {
      pending.delete(decisionId);
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
