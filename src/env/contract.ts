import { z } from 'zod';

/**
 * The wire contract of the environment: Action, Observation and State with their wire (snake_case) names.
 * api/ serialises exactly these; /schema publishes their JSON Schemas.
 */

/** Repair strategies an agent may name, in the bandit's arm order. `generate` is the first-attempt prompt. */
export const REPAIR_ARMS = [
  'FIX_IDENTIFIER',
  'FIX_JOIN_PATH',
  'FIX_SYNTAX_DIALECT',
  'FIX_AGGREGATION',
  'PROBE_VALUES',
  'RELAX_FILTERS',
  'FIX_PROJECTION',
  'EXPLAIN_AND_VERIFY',
  'DECOMPOSE_CTE',
  'REGENERATE',
] as const;
export type RepairArm = (typeof REPAIR_ARMS)[number];
export const REPAIR_ACTIONS = ['auto', 'generate', ...REPAIR_ARMS] as const;
export type RepairAction = (typeof REPAIR_ACTIONS)[number];

export const EPISODE_MODES = ['generate', 'repair'] as const;

export const ActionSchema = z
  .strictObject({
    repair_action: z
      .enum(REPAIR_ACTIONS)
      .optional()
      .describe("Repair prompt to use: an arm name, 'generate', or 'auto' (the bandit's recommendation). Default 'auto'."),
    custom_sql: z
      .string()
      .min(1)
      .max(100_000)
      .optional()
      .describe('SQL written by the agent. Without it, the server model writes the SQL.'),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({ title: 'SqlRepairAction' });
export type Action = z.infer<typeof ActionSchema>;

export const ResetOptionsSchema = z.object({
  task_id: z.string().min(1).max(200).optional(),
  question_id: z.string().min(1).max(400).optional(),
  seed: z.number().int().min(0).optional(),
  episode_id: z.string().min(1).max(255).optional(),
  mode: z.enum(EPISODE_MODES).optional(),
  dialect: z.enum(['sqlite', 'postgres']).optional(),
});
export type ResetOptions = z.infer<typeof ResetOptionsSchema>;

const CandidateSchema = z.object({ name: z.string(), score: z.number() });

export const ResultPreviewSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
  row_count: z.number().int(),
  truncated: z.boolean(),
});
export type ResultPreview = z.infer<typeof ResultPreviewSchema>;

export const ArmScoreSchema = z.object({
  arm: z.string(),
  mean: z.number(),
  width: z.number(),
  score: z.number(),
  probability: z.number(),
  feasible: z.boolean(),
});

export const ChatMessageSchema = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });

export const RecommendationSchema = z.object({
  arm: z.string(),
  probability: z.number(),
  decision_id: z.string(),
  explored: z.boolean(),
  scores: z.array(ArmScoreSchema),
  prompt_version: z.string(),
  prompt: z.array(ChatMessageSchema),
});
export type Recommendation = z.infer<typeof RecommendationSchema>;

export const RewardBreakdownSchema = z.record(z.string(), z.number());

export const ObservationSchema = z
  .strictObject({
    episode_id: z.string(),
    task_id: z.string(),
    question_id: z.string(),
    question: z.string(),
    evidence: z.string().nullable(),
    dialect: z.enum(['sqlite', 'postgres']),
    db_id: z.string(),
    schema_info: z.string(),
    current_sql: z.string().nullable(),
    result: ResultPreviewSchema.nullable(),
    error_message: z.string().nullable(),
    error_class: z.string().nullable(),
    offending_token: z.string().nullable(),
    candidates: z.array(CandidateSchema),
    attempt_number: z.number().int(),
    max_attempts: z.number().int(),
    task_difficulty: z.string(),
    score: z.number().nullable(),
    reward_breakdown: RewardBreakdownSchema.nullable(),
    success: z.boolean(),
    recommendation: RecommendationSchema.nullable(),
    injected_fault: z.string().nullable().describe("repair mode: the fault kind injected into the gold query (e.g. 'misspell-column')"),
    done: z.boolean().default(false),
    reward: z.union([z.boolean(), z.number(), z.null()]).default(null),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({ title: 'SqlRepairObservation' });
export type Observation = Omit<z.infer<typeof ObservationSchema>, 'done' | 'reward' | 'metadata'>;

export const StateSchema = z
  .looseObject({
    episode_id: z.string().nullable(),
    step_count: z.number().int().min(0),
    task_id: z.string().nullable().optional(),
    question_id: z.string().nullable().optional(),
    attempt: z.number().int().optional(),
    done: z.boolean().optional(),
    success: z.boolean().optional(),
    step_rewards: z.array(z.number()).optional(),
    total_reward: z.number().optional(),
  })
  .meta({ title: 'State' });
export type State = z.infer<typeof StateSchema>;

/** What reset/step return before transport serialisation: the OpenEnv envelope. */
export interface StepResult {
  observation: Observation;
  reward: number | null;
  done: boolean;
}

/** Stage events of a streaming step (SSE event types of the original environment). */
export type StepEvent =
  | { type: 'attempt_start'; attempt: number; max_attempts: number; arm: string; source: 'agent' | 'model' }
  | { type: 'sql_chunk'; text: string }
  | { type: 'sql_complete'; sql: string }
  | { type: 'executing'; sql: string; dialect: string }
  | { type: 'error'; message: string; error_class: string; offending_token: string | null; sql_ms: number }
  | { type: 'success'; columns: string[]; rows: (string | number | null)[][]; row_count: number; truncated: boolean; sql_ms: number }
  | { type: 'rl_reward'; reward: number; breakdown: Record<string, number>; score: number }
  | {
      type: 'rl_action';
      arm: string;
      probability: number;
      decision_id: string;
      explored: boolean;
      scores: z.infer<typeof ArmScoreSchema>[];
    }
  | { type: 'rl_episode_end'; total_reward: number; success: boolean; attempts: number };

/** A sink for stage events; transports turn them into SSE frames or ignore them. */
export type StepEventSink = (event: StepEvent) => void;
