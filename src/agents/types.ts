import type { Envelope } from '../client/index.js';
import type { Action, Observation, ResetOptions } from '../env/index.js';
import type { ChatMessage, ChatOptions, LlmBackend } from '../model/index.js';

/** What a model call was for: Agent Lightning's write/check/rewrite nodes, or a ReAct turn. */
export type CallRole = 'write' | 'check' | 'rewrite' | 'react';

/** One episode on a server, through the public client (HTTP with an episode id, or one WebSocket). */
export interface EnvSession {
  reset(options: ResetOptions): Promise<Envelope>;
  step(action: Partial<Action>): Promise<Envelope>;
  /** Idempotent; over WS it ends the episode on the server. */
  close(): Promise<void>;
}

/** One model call: the prompt, the answer, and which env step (if any) ran the SQL it produced. */
export interface ModelCall {
  role: CallRole;
  /** The attempt this call writes (write/rewrite/react) or checks (check), 1-based. */
  turn: number;
  messages: ChatMessage[];
  response: string;
  arm: string;
  promptVersion: string;
  /** 'server': the server's model wrote the SQL; the response is rebuilt from the SQL it ran. */
  source: 'agent' | 'server';
  /** Null for server calls: the API does not report the server model's token counts. */
  promptTokens: number | null;
  completionTokens: number | null;
  /** Index into EpisodeTrace.steps of the step that executed this call's SQL. */
  stepIndex?: number;
}

/** One env step (one graded attempt) as the agent saw it. */
export interface StepRecord {
  attempt: number;
  /** The repair action the server applied (the recommended arm when 'auto' was sent). */
  arm: string;
  sql: string;
  isSuccess: boolean;
  score: number | null;
  reward: number | null;
  errorClass: string | null;
  isExecuted: boolean;
  isDone: boolean;
}

/** Everything one agent run produced. */
export interface EpisodeTrace {
  initial: Observation;
  final: Observation;
  steps: StepRecord[];
  calls: ModelCall[];
  /** Whether the server ended the episode (success or out of attempts); false when the agent stopped first. */
  isDone: boolean;
}

export interface AgentRunOptions {
  reset: ResetOptions;
  signal?: AbortSignal;
}

/** A reference agent: drives one episode to its end and returns the trace. */
export interface Agent {
  readonly name: string;
  run(session: EnvSession, options: AgentRunOptions): Promise<EpisodeTrace>;
}

/** What the agents that call a model need. */
export interface AgentModel {
  backend: LlmBackend;
  /** Decoding options for every call (evaluation: temperature 0). */
  chatOptions: ChatOptions;
}
