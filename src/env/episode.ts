import { v7 as uuidv7 } from 'uuid';
import { EpisodeFinishedError, EpisodeNotStartedError, ModelNotConfiguredError, RequestValidationError } from '../errors.js';
import type { Action, ResetOptions, State, StepEventSink, StepResult } from './contract.js';
import type { ExecResult } from './db/engine.js';
import type { Environment } from './environment.js';
import { attemptContextOf, executeAndGrade, type RunningEpisode } from './episode-state.js';
import type { Grade } from './grade/grader.js';
import { generateRecommendationOf, initialObservationOf, observationAfter, previewOf, recommendationOf } from './observation.js';
import type { Diagnosis, StepReward } from './ports.js';
import { startFromFault } from './repair-start.js';
import { SerialLock } from './serial-lock.js';
import { goldFor } from './tasks/task.js';

type Running = RunningEpisode;


const noop: StepEventSink = () => undefined;

/**
 * One text-to-SQL repair episode: reset picks a question, each step runs one attempt (agent SQL or model SQL),
 * grades it, diagnoses the error and asks the policy for the next repair. Done on success or at max attempts.
 */
export class Episode {
  private running: Running | undefined;
  private readonly lock = new SerialLock();
  private isClosed = false;
  lastActivityMs = Date.now();

  constructor(private readonly env: Environment) {}

  get id(): string | undefined {
    return this.running?.id;
  }

  get isDone(): boolean {
    return this.running?.isDone ?? false;
  }

  /** Starts a new episode; same (task_id, seed) gives the same question. */
  async reset(options: ResetOptions = {}): Promise<StepResult> {
    return this.lock.run(async () => {
      this.touch();
      const { tasks, config } = this.env.deps;
      const taskId = options.task_id ?? config.episode.defaultTask;
      const question = tasks.question(taskId, options.question_id, options.seed);
      const dialect = options.dialect ?? config.episode.defaultDialect;
      const goldSql = goldFor(question, dialect);
      if (goldSql === undefined) {
        throw new RequestValidationError([
          { type: 'value_error', loc: ['body', 'dialect'], msg: `Question ${question.id} has no gold SQL for ${dialect}`, input: dialect },
        ]);
      }
      const { schema, info } = await this.env.schema(dialect, question.database);
      const id = options.episode_id ?? uuidv7();
      const prompt = await this.env.deps.policy.prompt('generate', attemptContextOf({ id, question, dialect, schema, schemaInfo: info, attempt: 0, lastSql: null }, config.episode.maxAttempts), undefined, this.env.engine(dialect));
      this.running = {
        id,
        question,
        dialect,
        goldSql,
        schema,
        schemaInfo: info,
        attempt: 0,
        stepCount: 0,
        isDone: false,
        isSuccess: false,
        stepRewards: [],
        lastSql: null,
        observation: initialObservationOf(id, question, dialect, info, config.episode.maxAttempts),
      };
      this.running.observation.recommendation = generateRecommendationOf(prompt);
      if (options.mode === 'repair') await startFromFault(this.env, this.running, options.seed ?? 0);
      return { observation: this.running.observation, reward: null, done: false };
    });
  }

  /** Runs one attempt. Throws EpisodeNotStartedError, EpisodeFinishedError, ModelNotConfiguredError. */
  async step(action: Action, options: { signal?: AbortSignal; onEvent?: StepEventSink } = {}): Promise<StepResult> {
    return this.lock.run(async () => {
      this.touch();
      const s = this.requireRunning();
      const startedMs = Date.now();
      const onEvent = options.onEvent ?? noop;
      const attempt = s.attempt + 1;
      const arm = this.armFor(action, s);
      const { maxAttempts } = this.env.deps.config.episode;
      onEvent({ type: 'attempt_start', attempt, max_attempts: maxAttempts, arm, source: action.custom_sql === undefined ? 'model' : 'agent' });
      const { sql, completionTokens } = await this.writeSql(action, arm, s, options.signal, onEvent);
      onEvent({ type: 'sql_complete', sql });
      onEvent({ type: 'executing', sql, dialect: s.dialect });
      const { exec, grade } = await executeAndGrade(this.env, s, sql);
      // why: a caller that went away (its signal fired) never sees this attempt, so it must not count or teach the policy.
      options.signal?.throwIfAborted();
      return this.finishAttempt(s, { attempt, arm, sql, exec, grade, completionTokens, latencyMs: Date.now() - startedMs, onEvent });
    });
  }

  /** The episode's state (OpenEnv State plus our fields). */
  state(): State {
    const s = this.running;
    if (s === undefined) return { episode_id: null, step_count: 0 };
    return {
      episode_id: s.id,
      step_count: s.stepCount,
      task_id: s.question.taskId,
      question_id: s.question.id,
      attempt: s.attempt,
      done: s.isDone,
      success: s.isSuccess,
      step_rewards: [...s.stepRewards],
      total_reward: s.stepRewards.reduce((a, b) => a + b, 0),
    };
  }

  /** Idempotent. An unfinished episode ends unsuccessfully for the policy. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const s = this.running;
    if (s !== undefined && !s.isDone && s.attempt > 0) {
      this.env.deps.policy.endEpisode(s.id, false).catch((err: unknown) => this.env.deps.log.warn({ err, episode_id: s.id }, 'ending an abandoned episode failed'));
    }
  }

  private touch(): void {
    this.lastActivityMs = Date.now();
  }

  private requireRunning(): Running {
    const s = this.running;
    if (s === undefined) throw new EpisodeNotStartedError();
    if (s.isDone) throw new EpisodeFinishedError(s.id);
    return s;
  }

  private armFor(action: Action, s: Running): string {
    const requested = action.repair_action ?? 'auto';
    if (requested !== 'auto') return requested;
    return s.decision?.arm ?? 'generate';
  }

  private async writeSql(
    action: Action,
    arm: string,
    s: Running,
    signal: AbortSignal | undefined,
    onEvent: StepEventSink,
  ): Promise<{ sql: string; completionTokens: number }> {
    if (action.custom_sql !== undefined) return { sql: action.custom_sql, completionTokens: 0 };
    const generator = this.env.deps.generator;
    if (generator === undefined) throw new ModelNotConfiguredError();
    const prompt =
      s.decision !== undefined && s.decision.arm === arm
        ? s.decision.prompt
        : await this.env.deps.policy.prompt(arm, attemptContextOf(s, this.env.deps.config.episode.maxAttempts), s.lastDiagnosis, this.env.engine(s.dialect));
    const generated = await generator.generateSql(prompt.messages, {
      signal,
      onChunk: (text) => onEvent({ type: 'sql_chunk', text }),
    });
    return { sql: generated.sql, completionTokens: generated.completionTokens };
  }

  private async finishAttempt(
    s: Running,
    a: { attempt: number; arm: string; sql: string; exec: ExecResult; grade: Grade; completionTokens: number; latencyMs: number; onEvent: StepEventSink },
  ): Promise<StepResult> {
    const { policy, config } = this.env.deps;
    const ctx = attemptContextOf(s, config.episode.maxAttempts, a);
    const diagnosis = a.grade.isMatch ? undefined : policy.diagnose(ctx);
    this.emitOutcome(a.exec, a.grade, diagnosis, a.onEvent);
    if (s.decision !== undefined) {
      await policy.rewardDecision(s.decision.decisionId, a.grade, { arm: a.arm, isFollowed: a.arm === s.decision.arm, completionTokens: a.completionTokens, latencyMs: a.latencyMs });
    }
    const stepReward = policy.stepReward({
      attempt: a.attempt,
      maxAttempts: config.episode.maxAttempts,
      grade: a.grade,
      diagnosis,
      previousDiagnosis: s.lastDiagnosis,
      completionTokens: a.completionTokens,
    });
    const reward = clamp(stepReward.total, config.score.min, config.score.max);
    a.onEvent({ type: 'rl_reward', reward, breakdown: stepReward.parts, score: a.grade.score });
    const isDone = a.grade.isSuccess || a.attempt >= config.episode.maxAttempts;
    s.attempt = a.attempt;
    s.stepCount += 1;
    s.isDone = isDone;
    s.isSuccess = a.grade.isSuccess;
    s.lastSql = a.sql;
    s.lastDiagnosis = diagnosis;
    s.lastArm = a.arm;
    s.decision = undefined;
    s.stepRewards.push(reward);
    if (!isDone && diagnosis !== undefined) {
      // The attempt's outcome, its diagnosis now the previous one: s holds both.
      s.decision = await policy.recommend(attemptContextOf(s, config.episode.maxAttempts, a), diagnosis, this.env.engine(s.dialect));
      a.onEvent({ type: 'rl_action', arm: s.decision.arm, probability: s.decision.probability, decision_id: s.decision.decisionId, explored: s.decision.isExplored, scores: s.decision.scores });
    }
    if (isDone) {
      await policy.endEpisode(s.id, a.grade.isSuccess);
      a.onEvent({ type: 'rl_episode_end', total_reward: s.stepRewards.reduce((x, y) => x + y, 0), success: a.grade.isSuccess, attempts: a.attempt });
    }
    s.observation = observationAfter(s.observation, diagnosis, {
      current_sql: a.sql,
      result: a.exec.ok ? previewOf(a.exec, config.sql.maxRows) : null,
      attempt_number: a.attempt,
      score: a.grade.score,
      reward_breakdown: rewardBreakdownOf(stepReward, reward, a.grade),
      success: a.grade.isSuccess,
      recommendation: s.decision === undefined ? null : recommendationOf(s.decision),
      injected_fault: s.observation.injected_fault,
    });
    return { observation: s.observation, reward, done: isDone };
  }

  private emitOutcome(exec: ExecResult, grade: Grade, diagnosis: Diagnosis | undefined, onEvent: StepEventSink): void {
    const sqlMs = exec.elapsedMs;
    if (diagnosis !== undefined) {
      onEvent({ type: 'error', message: diagnosis.rawMessage, error_class: diagnosis.errorClass, offending_token: diagnosis.token ?? null, sql_ms: sqlMs });
    } else if (exec.ok && grade.isMatch) {
      const preview = previewOf(exec, this.env.deps.config.sql.maxRows);
      onEvent({ type: 'success', columns: preview.columns, rows: preview.rows, row_count: preview.row_count, truncated: preview.truncated, sql_ms: sqlMs });
    }
  }
}

/**
 * The step reward's named parts, then its totals and the grade's parts. why Object.assign and stores rather than
 * `{ ...parts, total, … }`: V8's inline caches miss on every key added to a spread copy; that literal cost ~5 µs.
 */
function rewardBreakdownOf(stepReward: StepReward, clamped: number, grade: Grade): Record<string, number> {
  const breakdown: Record<string, number> = Object.assign({}, stepReward.parts);
  breakdown.total = stepReward.total;
  breakdown.clamped = clamped;
  breakdown.score = grade.score;
  breakdown.raw_score = grade.raw;
  breakdown.executes = grade.components.executes;
  breakdown.match = grade.components.match;
  breakdown.partial = grade.components.partial;
  return breakdown;
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

