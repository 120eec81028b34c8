import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** Variables that must never be echoed, even in a ConfigError. */
const SECRET_VARIABLES = new Set(['LLM_API_KEY', 'OPENAI_API_KEY', 'HF_TOKEN', 'API_TOKEN', 'DATABASE_URL', 'POLICY_STORE_URL']);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/**
 * Every environment variable the service reads, with its default. The README lists the same table.
 * Keys are the variable names; `buildConfig` turns them into the nested, camelCase config.
 */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalString,
  DATASET_DIR: optionalString,
  SQL_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  SQL_WORKERS: z.coerce.number().int().positive().optional(),
  SQL_SLOW_MS: z.coerce.number().int().positive().default(250),
  SQL_MAX_WORKERS: z.coerce.number().int().positive().optional(),
  SQL_INLINE_BUDGET_MS: z.coerce.number().min(0).max(1000).default(1),
  SQL_RESULT_CACHE_MB: z.coerce.number().min(0).max(65536).default(64),
  MAX_ROWS: z.coerce.number().int().positive().default(1000),
  CELL_CAP_BYTES: z.coerce.number().int().positive().default(65536),
  GRADE_MAX_ROWS: z.coerce.number().int().positive().default(20_000),
  SCHEMA_INFO_MAX_CHARS: z.coerce.number().int().positive().default(8000),
  PG_POOL_SIZE: z.coerce.number().int().positive().default(10),
  PG_MAX_CONNECTIONS: z.coerce.number().int().positive().optional(),
  PG_TEMP_FILE_LIMIT_MB: z.coerce.number().int().min(0).default(256),
  SCORE_MIN: z.coerce.number().min(0).max(1).default(0.05),
  SCORE_MAX: z.coerce.number().min(0).max(1).default(0.95),
  SUCCESS_THRESHOLD: z.coerce.number().min(0).max(1).default(0.8),
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  DEFAULT_TASK: z.string().default('simple_queries'),
  DEFAULT_DIALECT: z.enum(['sqlite', 'postgres']).default('sqlite'),
  MAX_CONCURRENT_ENVS: z.coerce.number().int().min(1).default(256),
  SESSION_TIMEOUT_S: z.coerce.number().positive().default(600),
  MAX_HTTP_EPISODES: z.coerce.number().int().min(1).default(1024),
  API_TOKEN: optionalString,
  POLICY_STORE_URL: optionalString,
  POLICY_ALPHA: z.coerce.number().min(0).default(1),
  POLICY_EPSILON: z.coerce.number().min(0).max(1).default(0.05),
  POLICY_SEED: z.coerce.number().int().default(42),
  POLICY_STORE_SYNC: z.enum(['normal', 'full']).default('normal'),
  POLICY_STORE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case PostgreSQL identifier').default('sql_repair_policy'),
  MODEL_BACKEND: z.enum(['auto', 'none', 'openai', 'onnx']).default('auto'),
  LLM_BASE_URL: optionalString,
  LLM_API_KEY: optionalString,
  OPENAI_API_KEY: optionalString,
  HF_TOKEN: optionalString,
  LLM_MODEL: z.string().default('gpt-4o-mini'),
  LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).default(2),
  MODEL_DIR: optionalString,
  MODEL_DTYPE: z.enum(['fp32', 'fp16', 'q8', 'q4', 'q4f16']).default('fp32'),
  MODEL_DEVICE: z.enum(['auto', 'cuda', 'cpu']).default('auto'),
  MODEL_MAX_NEW_TOKENS: z.coerce.number().int().positive().default(256),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

type Env = z.infer<typeof EnvSchema>;

function buildConfig(e: Env) {
  const dataDir = path.resolve(e.DATA_DIR);
  const apiKey = e.LLM_API_KEY ?? e.OPENAI_API_KEY ?? e.HF_TOKEN;
  const sqlWorkers = e.SQL_WORKERS ?? Math.max(1, os.availableParallelism());
  return {
    server: { port: e.PORT, host: e.HOST, apiToken: e.API_TOKEN },
    dataDir,
    datasetDir: e.DATASET_DIR === undefined ? undefined : path.resolve(e.DATASET_DIR),
    sql: {
      timeoutMs: e.SQL_TIMEOUT_MS,
      workers: sqlWorkers,
      maxWorkers: Math.max(sqlWorkers, e.SQL_MAX_WORKERS ?? 4 * sqlWorkers),
      slowMs: e.SQL_SLOW_MS,
      inlineBudgetMs: e.SQL_INLINE_BUDGET_MS,
      resultCacheMb: e.SQL_RESULT_CACHE_MB,
      maxRows: e.MAX_ROWS,
      cellCapBytes: e.CELL_CAP_BYTES,
      gradeMaxRows: e.GRADE_MAX_ROWS,
      schemaInfoMaxChars: e.SCHEMA_INFO_MAX_CHARS,
      databaseUrl: e.DATABASE_URL,
      pgPoolSize: e.PG_POOL_SIZE,
      pgMaxConnections: Math.max(e.PG_POOL_SIZE, e.PG_MAX_CONNECTIONS ?? 2 * e.PG_POOL_SIZE),
      pgTempFileLimitMb: e.PG_TEMP_FILE_LIMIT_MB,
    },
    score: { min: e.SCORE_MIN, max: e.SCORE_MAX, successThreshold: e.SUCCESS_THRESHOLD },
    episode: { maxAttempts: e.MAX_ATTEMPTS, defaultTask: e.DEFAULT_TASK, defaultDialect: e.DEFAULT_DIALECT },
    sessions: {
      maxConcurrentEnvs: e.MAX_CONCURRENT_ENVS,
      sessionTimeoutS: e.SESSION_TIMEOUT_S,
      maxHttpEpisodes: e.MAX_HTTP_EPISODES,
    },
    policy: {
      storeUrl: e.POLICY_STORE_URL,
      alpha: e.POLICY_ALPHA,
      epsilon: e.POLICY_EPSILON,
      seed: e.POLICY_SEED,
      storeSync: e.POLICY_STORE_SYNC,
      storeSchema: e.POLICY_STORE_SCHEMA,
    },
    model: {
      backend: resolveBackend(e),
      baseUrl: e.LLM_BASE_URL,
      apiKey,
      model: e.LLM_MODEL,
      timeoutMs: e.LLM_TIMEOUT_MS,
      maxRetries: e.LLM_MAX_RETRIES,
      modelDir: e.MODEL_DIR === undefined ? undefined : path.resolve(e.MODEL_DIR),
      dtype: e.MODEL_DTYPE,
      device: e.MODEL_DEVICE,
      maxNewTokens: e.MODEL_MAX_NEW_TOKENS,
    },
    log: { level: e.LOG_LEVEL },
  };
}

function resolveBackend(e: Env): 'none' | 'openai' | 'onnx' {
  if (e.MODEL_BACKEND !== 'auto') return e.MODEL_BACKEND;
  if (e.MODEL_DIR !== undefined) return 'onnx';
  if (e.LLM_BASE_URL !== undefined || (e.LLM_API_KEY ?? e.OPENAI_API_KEY ?? e.HF_TOKEN) !== undefined) return 'openai';
  return 'none';
}

export type Config = Readonly<ReturnType<typeof buildConfig>>;
export type SqlConfig = Config['sql'];
export type ScoreConfig = Config['score'];
export type ModelConfig = Config['model'];
export type PolicyConfig = Config['policy'];
export type SessionsConfig = Config['sessions'];
export type EpisodeConfig = Config['episode'];

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Every variable the service reads, with its default where it has one (the README's table is tested against it). */
export function environmentVariables(): Map<string, unknown> {
  const defaults: Record<string, unknown> = EnvSchema.parse({});
  return new Map(Object.keys(EnvSchema.shape).map((name) => [name, defaults[name]]));
}

/**
 * Parses a plain record of environment variables into the one typed, frozen config object.
 * Throws ConfigError listing every bad variable (secret values masked).
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(Object.keys(EnvSchema.shape).map((k) => [k, env[k]]));
  const parsed = EnvSchema.safeParse(known);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const shown = SECRET_VARIABLES.has(name) ? '***' : JSON.stringify(env[name]);
      return `${name}=${shown}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const config = buildConfig(parsed.data);
  if (config.score.min >= config.score.max) {
    throw new ConfigError([`SCORE_MIN=${config.score.min} must be below SCORE_MAX=${config.score.max}`]);
  }
  return deepFreeze(config);
}
