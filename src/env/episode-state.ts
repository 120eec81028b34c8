import type { Observation } from './contract.js';
import type { Dialect, DbSchema, ExecResult } from './db/engine.js';
import type { Environment } from './environment.js';
import type { Grade } from './grade/grader.js';
import type { AttemptContext, Diagnosis, PolicyDecision } from './ports.js';
import type { TaskQuestion } from './tasks/task.js';

/** What a started episode holds between steps. */
export interface RunningEpisode {
  id: string;
  question: TaskQuestion;
  dialect: Dialect;
  goldSql: string;
  schema: DbSchema;
  schemaInfo: string;
  attempt: number;
  stepCount: number;
  isDone: boolean;
  isSuccess: boolean;
  stepRewards: number[];
  lastSql: string | null;
  lastDiagnosis?: Diagnosis;
  lastArm?: string;
  decision?: PolicyDecision;
  observation: Observation;
}

/** An attempt's SQL and what came of it. */
export interface AttemptOutcome {
  attempt: number;
  sql: string;
  exec: ExecResult;
  grade: Grade;
}

/**
 * The policy's view of the episode: so far (before the next attempt's outcome is known), or with `outcome`, the
 * attempt just made. One literal with every field, so that every context has the same shape. why: built from
 * spreads, the contexts of one step had several shapes, and copying between them went through V8's slow paths
 * (~5% of the episode core's CPU a step).
 */
export function attemptContextOf(
  s: Pick<RunningEpisode, 'id' | 'question' | 'dialect' | 'schema' | 'schemaInfo' | 'attempt' | 'lastSql' | 'lastDiagnosis' | 'lastArm'>,
  maxAttempts: number,
  outcome?: AttemptOutcome,
): AttemptContext {
  const exec = outcome?.exec;
  return {
    episodeId: s.id,
    dialect: s.dialect,
    database: s.question.database,
    legacyDoubleQuotes: s.question.legacyDoubleQuotes,
    question: s.question.question,
    evidence: s.question.evidence,
    schema: s.schema,
    schemaInfo: s.schemaInfo,
    attempt: outcome === undefined ? s.attempt : outcome.attempt,
    maxAttempts,
    sql: outcome === undefined ? s.lastSql : outcome.sql,
    failure: exec === undefined || exec.ok ? undefined : exec,
    result: exec !== undefined && exec.ok ? exec : undefined,
    grade: outcome?.grade,
    previousDiagnosis: s.lastDiagnosis,
    previousArm: s.lastArm,
  };
}

/** Executes an attempt's SQL (complete results, for the grader) and grades it against the gold. */
export async function executeAndGrade(env: Environment, s: RunningEpisode, sql: string): Promise<{ exec: ExecResult; grade: Grade }> {
  const exec = await env.engine(s.dialect).execute(s.question.database, sql, {
    maxRows: env.deps.config.sql.gradeMaxRows,
    legacyDoubleQuotes: s.question.legacyDoubleQuotes,
  });
  const grade = await env.grader(s.dialect).grade({
    database: s.question.database,
    goldSql: s.goldSql,
    legacyDoubleQuotes: s.question.legacyDoubleQuotes,
    prediction: exec,
  });
  return { exec, grade };
}
