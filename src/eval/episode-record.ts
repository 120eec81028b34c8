import { z } from 'zod';
import type { EpisodeTrace } from '../agents/index.js';

/**
 * One line of `<out>/episodes.jsonl`: a finished episode. File formats use snake_case keys because Python tooling
 * (trainers, notebooks) reads them, like the wire.
 */
export const EpisodeStepSchema = z.object({
  attempt: z.number().int(),
  arm: z.string(),
  sql: z.string(),
  success: z.boolean(),
  score: z.number().nullable(),
  reward: z.number().nullable(),
  error_class: z.string().nullable(),
  executed: z.boolean(),
});

export const EpisodeRecordSchema = z.object({
  question_id: z.string(),
  task_id: z.string(),
  db_id: z.string(),
  difficulty: z.string(),
  question: z.string(),
  agent: z.string(),
  seed: z.number().int(),
  /** 'error': the agent or the server failed (not a wrong answer); a resumed run retries it. */
  status: z.enum(['ok', 'error']),
  error: z.string().nullable(),
  episode_id: z.string().nullable(),
  success: z.boolean(),
  score: z.number().nullable(),
  /** The env's reward for the final attempt (clamped into [SCORE_MIN, SCORE_MAX]). */
  final_reward: z.number().nullable(),
  step_rewards: z.array(z.number()),
  /** Env steps (graded attempts) the episode used: the turn it ended at. */
  turns: z.number().int(),
  /** Whether the server ended the episode (success or out of attempts) rather than the agent. */
  env_done: z.boolean(),
  final_sql: z.string().nullable(),
  steps: z.array(EpisodeStepSchema),
  model_calls: z.number().int(),
  server_model_calls: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  duration_ms: z.number(),
});
export type EpisodeRecord = z.infer<typeof EpisodeRecordSchema>;

export interface QuestionRef {
  question_id: string;
  task_id: string;
  db_id: string;
  difficulty: string;
  question: string;
}

export interface RecordMeta {
  question: QuestionRef;
  agent: string;
  seed: number;
  durationMs: number;
}

/** The record of an episode the agent finished. */
export function recordOfTrace(trace: EpisodeTrace, meta: RecordMeta): EpisodeRecord {
  const last = trace.steps.at(-1);
  const agentCalls = trace.calls.filter((c) => c.source === 'agent');
  return {
    ...meta.question,
    difficulty: trace.initial.task_difficulty,
    agent: meta.agent,
    seed: meta.seed,
    status: 'ok',
    error: null,
    episode_id: trace.initial.episode_id,
    success: last?.isSuccess ?? false,
    score: last?.score ?? null,
    final_reward: last?.reward ?? null,
    step_rewards: trace.steps.map((s) => s.reward ?? 0),
    turns: trace.steps.length,
    env_done: trace.isDone,
    final_sql: last?.sql ?? null,
    steps: trace.steps.map((s) => ({
      attempt: s.attempt,
      arm: s.arm,
      sql: s.sql,
      success: s.isSuccess,
      score: s.score,
      reward: s.reward,
      error_class: s.errorClass,
      executed: s.isExecuted,
    })),
    model_calls: agentCalls.length,
    server_model_calls: trace.calls.length - agentCalls.length,
    prompt_tokens: agentCalls.reduce((sum, c) => sum + (c.promptTokens ?? 0), 0),
    completion_tokens: agentCalls.reduce((sum, c) => sum + (c.completionTokens ?? 0), 0),
    duration_ms: Math.round(meta.durationMs),
  };
}

/** The record of an episode that failed for a reason other than a wrong answer. */
export function recordOfFailure(error: unknown, meta: RecordMeta): EpisodeRecord {
  return {
    ...meta.question,
    agent: meta.agent,
    seed: meta.seed,
    status: 'error',
    error: error instanceof Error ? error.message : String(error),
    episode_id: null,
    success: false,
    score: null,
    final_reward: null,
    step_rewards: [],
    turns: 0,
    env_done: false,
    final_sql: null,
    steps: [],
    model_calls: 0,
    server_model_calls: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    duration_ms: Math.round(meta.durationMs),
  };
}
