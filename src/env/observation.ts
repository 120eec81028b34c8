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

/** Error fields of the observation; all null when the attempt had no error. */
export function errorFieldsOf(diagnosis: Diagnosis | undefined): Pick<
  Observation,
  'error_message' | 'error_class' | 'offending_token' | 'candidates'
> {
  if (diagnosis === undefined) return { error_message: null, error_class: null, offending_token: null, candidates: [] };
  return {
    error_message: diagnosis.rawMessage,
    error_class: diagnosis.errorClass,
    offending_token: diagnosis.token ?? null,
    candidates: diagnosis.candidates,
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
    ...errorFieldsOf(undefined),
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
