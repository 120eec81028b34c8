import type { PolicyConfig } from '../config.js';
import type {
  AttemptContext,
  Diagnosis,
  PolicyDecision,
  RepairPolicy,
  RepairPrompt,
  SqlEngine,
  StepReward,
  StepRewardInput,
} from '../env/index.js';
import type { Grade } from '../env/index.js';
import type { Logger } from '../logger.js';
import { ARM_NAMES, armByName, armContextOf, feasibilityMask, GENERATE_ARM } from './arms.js';
import { classifyFailure, classifyOutcome } from './error-class.js';
import { buildContext, classFeatureIndex, contextInputOf, FEATURE_DIM, FEATURE_SCHEMA_HASH } from './features.js';
import { createLinUcbPolicy, type LinUcbPolicy, type PolicyStats } from './policy.js';
import { PolicyOverviewFold, type PolicyOverview } from './policy-overview.js';
import { runProbes } from './probes.js';
import { repairReward, stepReward } from './reward.js';
import { createPolicyStore } from './store/create-policy-store.js';
import type { CommitObserver } from './store/policy-store.js';
import { buildPriorTheta } from './warm-start.js';

const OVERVIEW_PAGE = 5000;

/** A decision with no reward this long after it was made gets reward 0 (repair-policy.md §0). */
export const REWARD_TTL_MS = 10 * 60 * 1000;

export interface RepairPolicyService extends RepairPolicy {
  readonly linucb: LinUcbPolicy;
  stats(): PolicyStats;
  /** Usage and reward by error class and arm over the whole log (folded incrementally: each call reads only new events). */
  overview(): Promise<PolicyOverview>;
  /** Snapshot and close the store; idempotent. */
  close(): Promise<void>;
}

interface OpenDecision {
  x: Float64Array;
  mask: boolean[];
  episodeId: string;
  meta: Record<string, unknown>;
}

/**
 * The repair policy the environment plugs in: error classification, context features, the LinUCB bandit with
 * logged propensities over the repair arms, their prompts and probes, and the step/repair rewards.
 */
export async function createRepairPolicy(deps: {
  config: PolicyConfig;
  dataDir: string;
  log: Logger;
  /** Told of each write transaction of the policy log. */
  onStoreCommit?: CommitObserver;
}): Promise<RepairPolicyService> {
  const store = createPolicyStore(deps.config, deps.dataDir, deps.log, deps.onStoreCommit);
  const linucb = await createLinUcbPolicy({
    armNames: ARM_NAMES,
    d: FEATURE_DIM,
    featureSchemaHash: FEATURE_SCHEMA_HASH,
    alpha: deps.config.alpha,
    epsilon: deps.config.epsilon,
    seed: deps.config.seed,
    prior: buildPriorTheta({ armNames: ARM_NAMES, d: FEATURE_DIM, classFeatureIndex }),
    rewardTtlMs: REWARD_TTL_MS,
    store,
    log: deps.log,
  });
  const open = new Map<string, OpenDecision>();
  let closing: Promise<void> | undefined;
  const overviewFold = new PolicyOverviewFold(ARM_NAMES);
  let overviewing: Promise<unknown> = Promise.resolve();

  const prompt = async (arm: string, ctx: AttemptContext, diagnosis: Diagnosis | undefined, engine: SqlEngine): Promise<RepairPrompt> => {
    const definition = armByName(arm) ?? GENERATE_ARM;
    const probes =
      definition.probes.length === 0 || ctx.sql === null
        ? []
        : await runProbes(definition, { database: ctx.database, sql: ctx.sql, schema: ctx.schema, diagnosis, legacyDoubleQuotes: ctx.legacyDoubleQuotes }, engine);
    const built = definition.buildPrompt({
      dialect: ctx.dialect,
      question: ctx.question,
      evidence: ctx.evidence,
      schemaInfo: ctx.schemaInfo,
      sql: ctx.sql,
      diagnosis,
      previousResult: ctx.result === undefined ? undefined : { columns: ctx.result.columns, rows: ctx.result.rows, rowCount: ctx.result.rowCount, isTruncated: ctx.result.isTruncated },
      probes,
    });
    return { arm: built.armName, promptVersion: built.promptVersion, messages: built.messages };
  };

  return {
    linucb,
    stats: () => linucb.stats(),
    prompt,

    overview() {
      // why serialized: two page loads at once must not fold the same new events twice.
      const next = overviewing.then(async () => {
        for (;;) {
          const page = await store.eventsAfter(overviewFold.lastEventId, OVERVIEW_PAGE);
          overviewFold.add(page);
          if (page.length < OVERVIEW_PAGE) break;
        }
        await linucb.sync();
        const stats = linucb.stats();
        return { ...overviewFold.summary(), learned: { last_event_id: stats.lastEventId, rewards: stats.rewards, per_arm_n: stats.perArm.map((a) => a.n) } };
      });
      overviewing = next.catch(() => undefined);
      return next;
    },

    diagnose(ctx) {
      if (ctx.failure !== undefined) return classifyFailure(ctx.failure, ctx.sql ?? '', ctx.schema);
      if (ctx.result !== undefined && ctx.grade !== undefined) return classifyOutcome(ctx.result, { isMatch: ctx.grade.isMatch });
      return undefined;
    },

    async recommend(ctx, diagnosis, engine): Promise<PolicyDecision> {
      const x = buildContext(contextInputOf(ctx, diagnosis));
      const mask = feasibilityMask(armContextOf(diagnosis, ctx.sql, ctx.schema.tables.length));
      const meta = { errorClass: diagnosis.errorClass, dbId: ctx.database, dialect: ctx.dialect, attempt: ctx.attempt, token: diagnosis.token ?? null };
      const decision = await linucb.decide({ x, mask, episodeId: ctx.episodeId, meta });
      open.set(decision.decisionId, { x, mask, episodeId: ctx.episodeId, meta });
      return {
        decisionId: decision.decisionId,
        arm: decision.armName,
        probability: decision.probability,
        isExplored: decision.isExplored,
        scores: decision.perArm.map((a, i) => ({
          arm: a.arm,
          mean: finite(a.mean),
          width: finite(a.width),
          score: finite(a.score),
          probability: decision.probabilities[i] ?? 0,
          feasible: a.isFeasible,
        })),
        prompt: await prompt(decision.armName, ctx, diagnosis, engine),
      };
    },

    stepReward(input: StepRewardInput): StepReward {
      // A first attempt has no previous error class: stepReward looks at it only from attempt 2 on.
      const parts = stepReward({
        gradeScore: input.grade.raw,
        attempt: input.attempt,
        errorClass: input.diagnosis?.errorClass,
        previousErrorClass: input.previousDiagnosis?.errorClass,
      });
      // why spelled out rather than a rest copy: rest copies and spreads take V8's slow property-definition path.
      return {
        total: parts.total,
        parts: { base: parts.base, attemptPenalty: parts.attemptPenalty, errorSeverityBonus: parts.errorSeverityBonus, errorChangedBonus: parts.errorChangedBonus },
      };
    },

    async rewardDecision(decisionId, grade, info) {
      const decided = open.get(decisionId);
      open.delete(decisionId);
      const r = repairRewardOf(grade, info);
      if (info.isFollowed || decided === undefined || !ARM_NAMES.includes(info.arm as (typeof ARM_NAMES)[number])) {
        if (info.isFollowed) await linucb.reward(decisionId, r, { arm: info.arm });
        else linucb.cancel(decisionId);
        return;
      }
      // why: the agent ran another arm; log that choice as its own (external) decision and reward it instead.
      linucb.cancel(decisionId);
      const external = await linucb.decide({ x: decided.x, mask: decided.mask.map((m, i) => m || ARM_NAMES[i] === info.arm), episodeId: decided.episodeId, meta: { ...decided.meta, replaces: decisionId }, forcedArm: info.arm });
      await linucb.reward(external.decisionId, r, { arm: info.arm });
    },

    async endEpisode(episodeId, isSuccess) {
      for (const [id, decided] of open) {
        if (decided.episodeId === episodeId) {
          open.delete(id);
          linucb.cancel(id);
        }
      }
      await linucb.endEpisode(episodeId, { isSuccess });
    },

    close() {
      closing ??= (async () => {
        await linucb.close();
        await store.close();
      })();
      return closing;
    },
  };
}

function repairRewardOf(grade: Grade, info: { completionTokens: number; latencyMs: number }): number {
  return repairReward({
    isMatch: grade.isMatch,
    isExecuted: grade.components.executes === 1,
    rowCount: grade.predResult?.rowCount ?? 0,
    similarity: grade.components.partial,
    tokens: info.completionTokens,
    latencyMs: info.latencyMs,
  }).total;
}

function finite(v: number): number {
  return Number.isFinite(v) ? v : 0;
}
