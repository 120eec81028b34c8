import type { Observation, Recommendation, ResultPreview } from './contract.js';
import type { Dialect, ExecSuccess } from './db/engine.js';
import type { Diagnosis, PolicyDecision, RepairPrompt } from './ports.js';
import type { TaskQuestion } from './tasks/task.js';

/** The first `maxRows` rows of a result, as the agent sees them. */
export function previewOf(result: ExecSuccess, maxRows: number): ResultPreview {
  return {
    columns: result.columns,
    rows: result.rows.slice(0, maxRows),
    row_count: result.rowCount,
    truncated: result.isTruncated || result.rowCount > maxRows,
  };
}

/** A bandit decision as the wire's recommendation field. */
export function recommendationOf(decision: PolicyDecision): Recommendation {
  return {
    arm: decision.arm,
    probability: decision.probability,
    decision_id: decision.decisionId,
    explored: decision.isExplored,
    scores: decision.scores,
    prompt_version: decision.prompt.promptVersion,
    prompt: decision.prompt.messages,
  };
}

/** The first attempt's ready prompt: no decision is involved, so no decision id. */
export function generateRecommendationOf(prompt: RepairPrompt): Recommendation {
  return {
    arm: prompt.arm,
    probability: 1,
    decision_id: '',
    explored: false,
    scores: [],
    prompt_version: prompt.promptVersion,
    prompt: prompt.messages,
  };
}

/** What an attempt (or an injected fault) changes in the observation, besides the error fields. */
export type AttemptFields = Pick<
  Observation,
  'current_sql' | 'result' | 'attempt_number' | 'score' | 'reward_breakdown' | 'success' | 'recommendation' | 'injected_fault'
>;

/**
 * The observation after an attempt: the episode's fields from `previous`, the error fields from `diagnosis` (all
 * null when there was no error), the rest from `fields`. One literal in wire order, so that every observation has
 * one shape. why: spread from the one before, observations took several shapes and V8 copied them on its slow
 * path, on every step; the reply's JSON.stringify also keeps a fast path only for objects of one shape.
 */
export function observationAfter(previous: Observation, diagnosis: Diagnosis | undefined, fields: AttemptFields): Observation {
  return {
    episode_id: previous.episode_id,
    task_id: previous.task_id,
    question_id: previous.question_id,
    question: previous.question,
    evidence: previous.evidence,
    dialect: previous.dialect,
    db_id: previous.db_id,
    schema_info: previous.schema_info,
    current_sql: fields.current_sql,
    result: fields.result,
    error_message: diagnosis === undefined ? null : diagnosis.rawMessage,
    error_class: diagnosis === undefined ? null : diagnosis.errorClass,
    offending_token: diagnosis?.token ?? null,
    candidates: diagnosis === undefined ? [] : diagnosis.candidates,
    attempt_number: fields.attempt_number,
    max_attempts: previous.max_attempts,
    task_difficulty: previous.task_difficulty,
    score: fields.score,
    reward_breakdown: fields.reward_breakdown,
    success: fields.success,
    recommendation: fields.recommendation,
    injected_fault: fields.injected_fault,
  };
}

/** The observation of a freshly reset episode: no attempt yet. */
export function initialObservationOf(id: string, q: TaskQuestion, dialect: Dialect, schemaInfo: string, maxAttempts: number): Observation {
  return {
    episode_id: id,
    task_id: q.taskId,
    question_id: q.id,
    question: q.question,
    evidence: q.evidence ?? null,
    dialect,
    db_id: q.database,
    schema_info: schemaInfo,
    current_sql: null,
    result: null,
    error_message: null,
    error_class: null,
    offending_token: null,
    candidates: [],
    attempt_number: 0,
    max_attempts: maxAttempts,
    task_difficulty: q.difficulty,
    score: null,
    reward_breakdown: null,
    success: false,
    recommendation: null,
    injected_fault: null,
  };
}
