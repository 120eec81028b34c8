import type { ScoreConfig } from '../config.js';

/**
 * Rewards, with every part visible to callers:
 * - a per-step reward with the original environment's named parts (base, attempt penalty, error-severity bonus,
 *   error-changed bonus), unclamped;
 * - an episode reward, raw and clamped into [SCORE_MIN, SCORE_MAX] (the OpenEnv `reward`, grading.md §0);
 * - the bandit's per-repair reward in [0, 1] (repair-policy.md §4, last paragraph), kept apart from both.
 */

/**
 * How close a failed attempt is to a right answer, in [0, 1]; a correct attempt (no class) counts as 1. A query
 * that runs but returns wrong rows is one edit from right; one that does not parse is furthest.
 */
export const ERROR_CLOSENESS: Readonly<Record<string, number>> = Object.freeze({
  WRONG_RESULT: 0.8,
  EMPTY_RESULT: 0.6,
  QUERY_SHAPE: 0.5,
  GROUPING: 0.5,
  TYPE_MISMATCH: 0.4,
  AMBIGUOUS_REFERENCE: 0.4,
  UNKNOWN_COLUMN: 0.3,
  UNKNOWN_TABLE: 0.3,
  UNKNOWN_FUNCTION: 0.3,
  SYNTAX: 0.1,
  TIMEOUT: 0.1,
  REJECTED: 0,
  OTHER: 0,
});

export const STEP_REWARD = Object.freeze({
  /** Subtracted per retry after the first attempt (the hackathon envs used 0.10·attempt; ours is gentler). */
  attemptPenalty: 0.05,
  /** errorSeverityBonus = this × closeness; 0.1 keeps a wrong attempt (base < 1) below a correct one (1 + 0.1). */
  errorSeverityBonusMax: 0.1,
  /** Paid when the error class changed since the previous attempt and did not get further from right. */
  errorChangedBonus: 0.05,
});

export const EPISODE_REWARD = Object.freeze({
  attemptPenalty: 0.05,
  /** A success earns this × (unused attempts / maxAttempts). */
  earlySolveBonusMax: 0.1,
});

export const REPAIR_REWARD = Object.freeze({
  /** Non-matching results earn at most executes + nonEmpty + similarityWeight = 0.6, a match 1 − costs ≥ 0.9. */
  executes: 0.2,
  nonEmpty: 0.1,
  similarityWeight: 0.3,
  /** Costs grow linearly up to their budget and then stay at their maximum. */
  tokenCostMax: 0.05,
  tokenBudget: 4000,
  latencyCostMax: 0.05,
  latencyBudgetMs: 30_000,
});

export function errorCloseness(errorClass: string | undefined): number {
  return errorClass === undefined ? 1 : (ERROR_CLOSENESS[errorClass] ?? 0);
}

export interface StepRewardInput {
  /** The grader's raw score of this attempt in [0, 1]: 1 on a match, partial credit otherwise, 0 on an error. */
  gradeScore: number;
  /** 1-based. */
  attempt: number;
  /** The attempt's error class; undefined when it is correct. */
  errorClass: string | undefined;
  /** The previous attempt's class; omit on the first attempt, undefined if the previous one was correct. */
  previousErrorClass?: string | undefined;
}

export interface StepRewardParts {
  base: number;
  /** ≤ 0 */
  attemptPenalty: number;
  errorSeverityBonus: number;
  errorChangedBonus: number;
  total: number;
}

export function stepReward(input: StepRewardInput): StepRewardParts {
  const base = clamp(input.gradeScore, 0, 1);
  const attemptPenalty = -STEP_REWARD.attemptPenalty * Math.max(0, input.attempt - 1);
  const closeness = errorCloseness(input.errorClass);
  const errorSeverityBonus = STEP_REWARD.errorSeverityBonusMax * closeness;
  const hasPrevious = input.attempt > 1 && 'previousErrorClass' in input;
  const isChanged = hasPrevious && input.previousErrorClass !== input.errorClass;
  const errorChangedBonus = isChanged && closeness >= errorCloseness(input.previousErrorClass) ? STEP_REWARD.errorChangedBonus : 0;
  return { base, attemptPenalty, errorSeverityBonus, errorChangedBonus, total: base + attemptPenalty + errorSeverityBonus + errorChangedBonus };
}

export interface EpisodeRewardInput {
  /** Raw grade of the final attempt in [0, 1]. */
  finalGradeScore: number;
  attempts: number;
  maxAttempts: number;
}

export interface EpisodeRewardParts {
  finalScore: number;
  /** ≤ 0 */
  attemptPenalty: number;
  earlySolveBonus: number;
  isSuccess: boolean;
  /** finalScore + attemptPenalty + earlySolveBonus, unclamped. */
  raw: number;
  /** raw clamped into [score.min, score.max]: the value the API reports. */
  score: number;
}

export function episodeReward(input: EpisodeRewardInput, score: ScoreConfig): EpisodeRewardParts {
  const finalScore = clamp(input.finalGradeScore, 0, 1);
  const isSuccess = finalScore >= score.successThreshold;
  const attemptPenalty = -EPISODE_REWARD.attemptPenalty * Math.max(0, input.attempts - 1);
  const unused = Math.max(0, input.maxAttempts - input.attempts) / input.maxAttempts;
  const earlySolveBonus = isSuccess ? EPISODE_REWARD.earlySolveBonusMax * unused : 0;
  const raw = finalScore + attemptPenalty + earlySolveBonus;
  return { finalScore, attemptPenalty, earlySolveBonus, isSuccess, raw, score: clamp(raw, score.min, score.max) };
}

export interface RepairRewardInput {
  isMatch: boolean;
  isExecuted: boolean;
  rowCount: number;
  /** Similarity of the repaired result to gold in [0, 1] (e.g. the grader's partial credit). */
  similarity: number;
  tokens: number;
  latencyMs: number;
}

export interface RepairRewardParts {
  /** 1 on a match, else executesCredit + nonEmptyCredit + similarityCredit. */
  quality: number;
  executesCredit: number;
  nonEmptyCredit: number;
  similarityCredit: number;
  tokenCost: number;
  latencyCost: number;
  /** clamp(quality − tokenCost − latencyCost, 0, 1): the bandit's reward. */
  total: number;
}

export function repairReward(input: RepairRewardInput): RepairRewardParts {
  const executesCredit = input.isExecuted ? REPAIR_REWARD.executes : 0;
  const nonEmptyCredit = input.isExecuted && input.rowCount > 0 ? REPAIR_REWARD.nonEmpty : 0;
  const similarityCredit = input.isExecuted ? REPAIR_REWARD.similarityWeight * clamp(input.similarity, 0, 1) : 0;
  const quality = input.isMatch ? 1 : executesCredit + nonEmptyCredit + similarityCredit;
  const tokenCost = REPAIR_REWARD.tokenCostMax * clamp(input.tokens / REPAIR_REWARD.tokenBudget, 0, 1);
  const latencyCost = REPAIR_REWARD.latencyCostMax * clamp(input.latencyMs / REPAIR_REWARD.latencyBudgetMs, 0, 1);
  return { quality, executesCredit, nonEmptyCredit, similarityCredit, tokenCost, latencyCost, total: clamp(quality - tokenCost - latencyCost, 0, 1) };
}

function clamp(v: number, lo: number, hi: number): number {
  if (Number.isNaN(v)) return lo;
  return Math.min(hi, Math.max(lo, v));
}
