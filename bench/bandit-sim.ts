/**
 * The simulated repair environment of bench/bandit.bench.ts. Real part: Spider train gold queries, corrupted by
 * src/rl/faults, executed on the real SQLite engine (legacy double quotes, as Spider's evaluator), classified by the
 * real classifier, turned into the real context vectors and action masks. Simulated part (stated as such): whether
 * an arm fixes a fault is a coin flip with the probability FIX_PROB gives for (fault kind, arm), and each arm's
 * token/latency cost. No LLM runs. The numbers are hand-set assumptions from what each arm's prompt and probes
 * give the model (spec/repair-policy.md §4), not measurements; a full-information replay with a real model
 * (§2.3 point 5) would replace them.
 */
import { ARM_NAMES, armContextOf, feasibilityMask, type ArmName } from '../src/rl/arms.js';
import { classifyFailure, classifyOutcome, type ErrorClass } from '../src/rl/error-class.js';
import { executeFaults, generateFaults } from '../src/rl/faults/index.js';
import { buildContext } from '../src/rl/features.js';
import { repairReward } from '../src/rl/reward.js';
import type { Rng } from '../src/rl/rng.js';
import type { SqlEngine, TaskQuestion } from '../src/env/index.js';

type ArmP = Partial<Record<ArmName, number>>;

/** What an arm that is not named for a kind achieves: the generalists do something, the specialists little. */
const BASE_P: Record<ArmName, number> = {
  FIX_IDENTIFIER: 0.05, FIX_JOIN_PATH: 0.05, FIX_SYNTAX_DIALECT: 0.05, FIX_AGGREGATION: 0.05, PROBE_VALUES: 0.05,
  RELAX_FILTERS: 0.05, FIX_PROJECTION: 0.05, EXPLAIN_AND_VERIFY: 0.45, DECOMPOSE_CTE: 0.3, REGENERATE: 0.45,
};

/**
 * P(the repaired query matches gold | fault kind, arm). The arm built for a fault fixes it 0.80–0.92; a near arm
 * 0.20–0.70 (FIX_IDENTIFIER on a foreign function sees fuzzy function candidates; RELAX_FILTERS on a wrong literal
 * finds the predicate but not the stored value); EXPLAIN_AND_VERIFY and REGENERATE are generalists (0.40–0.70).
 */
export const FIX_PROB: Readonly<Record<string, ArmP>> = {
  'misspell-column': { FIX_IDENTIFIER: 0.92, FIX_JOIN_PATH: 0.25, FIX_SYNTAX_DIALECT: 0.3, FIX_PROJECTION: 0.3, EXPLAIN_AND_VERIFY: 0.65, DECOMPOSE_CTE: 0.35, REGENERATE: 0.55 },
  'misspell-table': { FIX_IDENTIFIER: 0.9, FIX_JOIN_PATH: 0.45, FIX_SYNTAX_DIALECT: 0.25, EXPLAIN_AND_VERIFY: 0.6, DECOMPOSE_CTE: 0.35, REGENERATE: 0.55 },
  'missing-join': { FIX_JOIN_PATH: 0.85, FIX_IDENTIFIER: 0.2, EXPLAIN_AND_VERIFY: 0.5, DECOMPOSE_CTE: 0.45, REGENERATE: 0.5 },
  'ambiguous-column': { FIX_JOIN_PATH: 0.85, FIX_IDENTIFIER: 0.8, FIX_SYNTAX_DIALECT: 0.35, EXPLAIN_AND_VERIFY: 0.7, DECOMPOSE_CTE: 0.35, REGENERATE: 0.55 },
  'foreign-function': { FIX_SYNTAX_DIALECT: 0.9, FIX_IDENTIFIER: 0.7, FIX_AGGREGATION: 0.4, EXPLAIN_AND_VERIFY: 0.6, REGENERATE: 0.55 },
  'aggregate-in-where': { FIX_AGGREGATION: 0.9, FIX_SYNTAX_DIALECT: 0.35, FIX_PROJECTION: 0.2, EXPLAIN_AND_VERIFY: 0.55, DECOMPOSE_CTE: 0.45, REGENERATE: 0.5 },
  'missing-group-by': { FIX_AGGREGATION: 0.85, FIX_PROJECTION: 0.35, DECOMPOSE_CTE: 0.35 },
  'wrong-order-direction': { FIX_PROJECTION: 0.85, EXPLAIN_AND_VERIFY: 0.5, DECOMPOSE_CTE: 0.25 },
  'drop-predicate': { PROBE_VALUES: 0.35, FIX_PROJECTION: 0.15, EXPLAIN_AND_VERIFY: 0.55, DECOMPOSE_CTE: 0.45, REGENERATE: 0.55 },
  'wrong-literal': { PROBE_VALUES: 0.88, RELAX_FILTERS: 0.55, EXPLAIN_AND_VERIFY: 0.4, DECOMPOSE_CTE: 0.25 },
  'column-count-mismatch': { FIX_PROJECTION: 0.8, FIX_SYNTAX_DIALECT: 0.4, EXPLAIN_AND_VERIFY: 0.6, DECOMPOSE_CTE: 0.5, REGENERATE: 0.5 },
  'syntax-slip': { FIX_SYNTAX_DIALECT: 0.92, FIX_IDENTIFIER: 0.3, EXPLAIN_AND_VERIFY: 0.6, REGENERATE: 0.55 },
};

export function fixProbability(kind: string, arm: ArmName): number {
  return FIX_PROB[kind]?.[arm] ?? BASE_P[arm];
}

/** Simulated completion tokens and latency per arm: probes and longer prompts cost more; REGENERATE the most. */
export const ARM_COST: Readonly<Record<ArmName, { tokens: number; latencyMs: number }>> = {
  FIX_IDENTIFIER: { tokens: 500, latencyMs: 3000 }, FIX_JOIN_PATH: { tokens: 700, latencyMs: 4000 },
  FIX_SYNTAX_DIALECT: { tokens: 450, latencyMs: 3000 }, FIX_AGGREGATION: { tokens: 600, latencyMs: 4000 },
  PROBE_VALUES: { tokens: 800, latencyMs: 6000 }, RELAX_FILTERS: { tokens: 800, latencyMs: 7000 },
  FIX_PROJECTION: { tokens: 550, latencyMs: 3500 }, EXPLAIN_AND_VERIFY: { tokens: 1400, latencyMs: 9000 },
  DECOMPOSE_CTE: { tokens: 1800, latencyMs: 12_000 }, REGENERATE: { tokens: 2400, latencyMs: 15_000 },
};

/** One failure the bandit can be asked about: a real corrupted query, its real class, context and mask. */
export interface SimFailure {
  kind: string;
  expectedClass: ErrorClass;
  errorClass: ErrorClass;
  x: Float64Array;
  mask: boolean[];
  /** Reward per arm on success and on failure (repairReward: a failed repair leaves the faulty query's credit). */
  rewardIfFixed: number[];
  rewardIfNot: number[];
}

export function expectedReward(f: SimFailure, arm: number): number {
  const p = fixProbability(f.kind, ARM_NAMES[arm] as ArmName);
  return p * (f.rewardIfFixed[arm] as number) + (1 - p) * (f.rewardIfNot[arm] as number);
}

/** Every fault of `questions` that really breaks its query, executed and classified for real. */
export async function buildFailurePool(questions: readonly TaskQuestion[], engine: SqlEngine, rng: Rng, maxAttempts: number): Promise<SimFailure[]> {
  const pool: SimFailure[] = [];
  for (const q of questions) {
    const gold = q.gold as string;
    const schema = await engine.schema(q.database);
    const faults = generateFaults(gold, schema, rng);
    const ctx = { engine, database: q.database, goldSql: gold, legacyDoubleQuotes: q.legacyDoubleQuotes, timeoutMs: 2000 };
    for (const f of await executeFaults(faults, ctx)) {
      const diagnosis = f.result.ok
        ? classifyOutcome(f.result, { isMatch: false, ...(f.goldRowCount === undefined ? {} : { goldRowCount: f.goldRowCount }) })
        : classifyFailure(f.result, f.sql, schema);
      if (diagnosis === undefined) continue;
      const tableCount = schema.tables.length;
      const rowCount = f.result.ok ? f.result.rowCount : 0;
      const reward = (isMatch: boolean, arm: ArmName): number =>
        repairReward({ isMatch, isExecuted: f.result.ok, rowCount, similarity: 0, tokens: ARM_COST[arm].tokens, latencyMs: ARM_COST[arm].latencyMs }).total;
      pool.push({
        kind: f.kind,
        expectedClass: f.expectedClass,
        errorClass: diagnosis.errorClass,
        x: buildContext({ diagnosis, attempt: 1, maxAttempts, sql: f.sql, tableCount }),
        mask: feasibilityMask(armContextOf(diagnosis, f.sql, tableCount)),
        rewardIfFixed: ARM_NAMES.map((a) => reward(true, a)),
        rewardIfNot: ARM_NAMES.map((a) => reward(false, a)),
      });
    }
  }
  return pool;
}
