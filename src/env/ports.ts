import type { Dialect, DbSchema, ExecSuccess, SqlEngine, SqlFailure } from './db/engine.js';
import type { Grade } from './grade/grader.js';

/**
 * What the episode core needs from outside. model/ and rl/ implement these structurally;
 * main.ts plugs them in, so env imports neither.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GeneratedSql {
  /** The SQL extracted from the model's answer. */
  sql: string;
  /** The model's whole answer. */
  text: string;
  promptTokens: number;
  completionTokens: number;
}

/** Writes SQL from chat messages (a remote LLM or the local ONNX model). */
export interface SqlGenerator {
  /** Streams text through onChunk while generating; the signal cancels generation. */
  generateSql(
    messages: ChatMessage[],
    options: { signal?: AbortSignal; onChunk?: (text: string) => void },
  ): Promise<GeneratedSql>;
  describe(): { backend: string; model: string; device: string };
}

/** What went wrong with an attempt, in the taxonomy of the repair policy. */
export interface Diagnosis {
  errorClass: string;
  rawCode: string;
  rawMessage: string;
  token?: string;
  qualifier?: string;
  candidates: { name: string; score: number }[];
}

/** Everything the policy may use to diagnose an attempt and build a repair prompt. */
export interface AttemptContext {
  episodeId: string;
  dialect: Dialect;
  database: string;
  /** Spider data: run probe queries as the episode's queries run. */
  legacyDoubleQuotes: boolean;
  question: string;
  evidence?: string;
  schema: DbSchema;
  schemaInfo: string;
  attempt: number;
  maxAttempts: number;
  sql: string | null;
  failure?: SqlFailure;
  result?: ExecSuccess;
  grade?: Grade;
  previousDiagnosis?: Diagnosis;
  previousArm?: string;
}

export interface ArmScore {
  arm: string;
  mean: number;
  width: number;
  score: number;
  probability: number;
  feasible: boolean;
}

export interface RepairPrompt {
  arm: string;
  promptVersion: string;
  messages: ChatMessage[];
}

export interface PolicyDecision {
  decisionId: string;
  arm: string;
  probability: number;
  isExplored: boolean;
  scores: ArmScore[];
  prompt: RepairPrompt;
}

export interface StepRewardInput {
  attempt: number;
  maxAttempts: number;
  grade: Grade;
  diagnosis?: Diagnosis;
  previousDiagnosis?: Diagnosis;
  completionTokens?: number;
}

export interface StepReward {
  /** The unclamped step reward. */
  total: number;
  /** Named parts that add up to total. */
  parts: Record<string, number>;
}

/** The repair policy: diagnosis, arm choice with logged propensities, prompts, rewards. */
export interface RepairPolicy {
  diagnose(ctx: AttemptContext): Diagnosis | undefined;
  /** Chooses the arm for the next attempt (bandit decision, logged) and builds its prompt. */
  recommend(ctx: AttemptContext, diagnosis: Diagnosis, engine: SqlEngine): Promise<PolicyDecision>;
  /** Builds the prompt of a named arm (or 'generate'), without a decision. */
  prompt(arm: string, ctx: AttemptContext, diagnosis: Diagnosis | undefined, engine: SqlEngine): Promise<RepairPrompt>;
  stepReward(input: StepRewardInput): StepReward;
  /** Reward in [0,1] for the repair a decision chose, applied once per decision id. */
  rewardDecision(decisionId: string, grade: Grade, info: { arm: string; isFollowed: boolean; completionTokens: number; latencyMs: number }): Promise<void>;
  /** Hindsight relabelling on success; idempotent per episode. */
  endEpisode(episodeId: string, isSuccess: boolean): Promise<void>;
}
