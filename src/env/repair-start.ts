import { RequestValidationError } from '../errors.js';
import type { Environment } from './environment.js';
import { attemptContextOf, executeAndGrade, type RunningEpisode } from './episode-state.js';
import { observationAfter, previewOf, recommendationOf } from './observation.js';

/**
 * `repair` mode: replaces the episode's starting point with a corrupted gold query, its real outcome and the
 * policy's recommendation, so repair agents start from a failure (a curriculum by fault kind).
 */
export async function startFromFault(env: Environment, s: RunningEpisode, seed: number): Promise<void> {
  const faults = env.deps.faults;
  if (faults === undefined) {
    throw new RequestValidationError([{ type: 'value_error', loc: ['body', 'mode'], msg: "mode 'repair' is not available on this server", input: 'repair' }]);
  }
  const engine = env.engine(s.dialect);
  const fault = await faults.corrupt(s.question, s.goldSql, engine, seed);
  if (fault === undefined) return;
  const { exec, grade } = await executeAndGrade(env, s, fault.sql);
  const ctx = attemptContextOf(s, env.deps.config.episode.maxAttempts, { attempt: s.attempt, sql: fault.sql, exec, grade });
  const diagnosis = grade.isMatch ? undefined : env.deps.policy.diagnose(ctx);
  s.lastSql = fault.sql;
  s.lastDiagnosis = diagnosis;
  if (diagnosis !== undefined) s.decision = await env.deps.policy.recommend(ctx, diagnosis, engine);
  s.observation = observationAfter(s.observation, diagnosis, {
    current_sql: fault.sql,
    result: exec.ok ? previewOf(exec, env.deps.config.sql.maxRows) : null,
    attempt_number: s.observation.attempt_number,
    score: grade.score,
    reward_breakdown: s.observation.reward_breakdown,
    success: s.observation.success,
    recommendation: s.decision === undefined ? s.observation.recommendation : recommendationOf(s.decision),
    injected_fault: fault.fault,
  });
}
