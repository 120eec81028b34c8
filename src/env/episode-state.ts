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

/** The policy's view of the episode so far (before the next attempt's outcome is known). */
export function attemptContextOf(
  s: Pick<RunningEpisode, 'id' | 'question' | 'dialect' | 'schema' | 'schemaInfo' | 'attempt' | 'lastSql' | 'lastDiagnosis' | 'lastArm'>,
  maxAttempts: number,
): AttemptContext {
  return {
    episodeId: s.id,
    dialect: s.dialect,
    database: s.question.database,
    legacyDoubleQuotes: s.question.legacyDoubleQuotes,
    question: s.question.question,
    evidence: s.question.evidence,
    schema: s.schema,
    schemaInfo: s.schemaInfo,
    attempt: s.attempt,
    maxAttempts,
    sql: s.lastSql,
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
