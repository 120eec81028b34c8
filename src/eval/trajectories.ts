import type { CallRole, EpisodeTrace } from '../agents/index.js';
import type { ChatMessage } from '../model/index.js';
import type { EpisodeRecord } from './episode-record.js';

/**
 * One line of the `--trajectories` file: one model call in the chat format SFT and GRPO trainers read
 * (docs/trajectories.md). `reward` is the episode's final reward, the reward Agent Lightning trains every call of a
 * rollout on; `step_reward` is the env's reward for the attempt this call's SQL produced (null for checks).
 */
export interface TrajectoryLine {
  messages: ChatMessage[];
  reward: number;
  episode_id: string;
  question_id: string;
  task_id: string;
  agent: string;
  turn: number;
  role: CallRole;
  source: 'agent' | 'server';
  arm: string;
  prompt_version: string;
  step_reward: number | null;
  step_rewards: number[];
  final_reward: number;
  success: boolean;
  prompt_tokens: number | null;
  completion_tokens: number | null;
}

/**
 * The trajectory lines of a finished episode. `only` is a regular expression matched against the role, as Agent
 * Lightning's `trained_agents`: 'write' keeps write and rewrite calls.
 */
export function trajectoryLines(trace: EpisodeTrace, record: EpisodeRecord, only?: RegExp): TrajectoryLine[] {
  const finalReward = record.final_reward ?? 0;
  return trace.calls
    .filter((call) => only === undefined || only.test(call.role))
    .map((call) => ({
      messages: [...call.messages, { role: 'assistant', content: call.response }],
      reward: finalReward,
      episode_id: record.episode_id ?? '',
      question_id: record.question_id,
      task_id: record.task_id,
      agent: record.agent,
      turn: call.turn,
      role: call.role,
      source: call.source,
      arm: call.arm,
      prompt_version: call.promptVersion,
      step_reward: call.stepIndex === undefined ? null : (trace.steps[call.stepIndex]?.reward ?? null),
      step_rewards: record.step_rewards,
      final_reward: finalReward,
      success: record.success,
      prompt_tokens: call.promptTokens,
      completion_tokens: call.completionTokens,
    }));
}
