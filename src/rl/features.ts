import { createHash } from 'node:crypto';
import type { AttemptContext, Diagnosis } from '../env/index.js';
import { ERROR_CLASSES } from './error-class.js';
import { analyzeSql, type SqlShape } from './sql-shape.js';

/** Bump when a feature's meaning changes (not only its name): persisted bandit state is keyed by the hash. */
export const FEATURE_VERSION = 1;

/** The context vector x (repair-policy.md §3.5), in order; every value is in [0, 1]. */
export const FEATURE_NAMES = [
  'bias',
  ...ERROR_CLASSES.map((c) => `class_${c.toLowerCase()}`),
  'attempt_fraction',
  'has_token',
  'best_candidate_score',
  'joins_over_4',
  'subqueries_over_3',
  'has_group_by',
  'has_aggregate',
  'has_order_or_limit',
  'predicates_over_5',
  'log_tables_over_log_100',
  'previous_arm_failed',
  'error_class_unchanged',
] as const;

export const FEATURE_DIM = FEATURE_NAMES.length;

/** sha256 of the version and the names, 16 hex characters. */
export const FEATURE_SCHEMA_HASH = createHash('sha256').update(`v${FEATURE_VERSION}:${FEATURE_NAMES.join(',')}`).digest('hex').slice(0, 16);

const CLASS_OFFSET = 1;
const TAIL = CLASS_OFFSET + ERROR_CLASSES.length;

/** Index of an error class's one-hot feature, or undefined for a name outside the taxonomy. */
export function classFeatureIndex(errorClass: string): number | undefined {
  const i = (ERROR_CLASSES as readonly string[]).indexOf(errorClass);
  return i < 0 ? undefined : CLASS_OFFSET + i;
}

export interface ContextInput {
  diagnosis: Pick<Diagnosis, 'errorClass' | 'token' | 'candidates'>;
  /** 1-based attempt that produced the failure. */
  attempt: number;
  maxAttempts: number;
  sql: string | null;
  /** Tables in the database. */
  tableCount: number;
  /** The repair arm that produced this failing attempt (undefined or 'generate' for a first attempt). */
  previousArm?: string;
  /** The class of the attempt before this one. */
  previousErrorClass?: string;
}

const clip01 = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

function shapeFeatures(shape: SqlShape | undefined): number[] {
  if (shape === undefined) return [0, 0, 0, 0, 0, 0];
  return [
    clip01(shape.joins / 4),
    clip01(shape.subqueries / 3),
    shape.hasGroupBy ? 1 : 0,
    shape.aggregates > 0 ? 1 : 0,
    shape.hasOrderBy || shape.hasLimit ? 1 : 0,
    clip01(shape.predicates / 5),
  ];
}

/** The context vector of a failed attempt: FEATURE_DIM values in [0, 1], in FEATURE_NAMES order. */
export function buildContext(input: ContextInput): Float64Array {
  const x = new Float64Array(FEATURE_DIM);
  x[0] = 1;
  const classIndex = classFeatureIndex(input.diagnosis.errorClass) ?? classFeatureIndex('OTHER');
  x[classIndex as number] = 1;
  const bestScore = input.diagnosis.candidates.reduce((best, c) => Math.max(best, c.score), 0);
  const shape = input.sql === null || input.sql.trim() === '' ? undefined : analyzeSql(input.sql);
  const hasPreviousArm = input.previousArm !== undefined && input.previousArm !== 'generate';
  const tail = [
    clip01(input.maxAttempts > 0 ? input.attempt / input.maxAttempts : 0),
    input.diagnosis.token === undefined || input.diagnosis.token === '' ? 0 : 1,
    clip01(bestScore),
    ...shapeFeatures(shape),
    clip01(Math.log(Math.max(1, input.tableCount)) / Math.log(100)),
    hasPreviousArm ? 1 : 0,
    input.previousErrorClass !== undefined && input.previousErrorClass === input.diagnosis.errorClass ? 1 : 0,
  ];
  x.set(tail, TAIL);
  return x;
}

/** The context input of an environment attempt and its diagnosis. */
export function contextInputOf(ctx: AttemptContext, diagnosis: Diagnosis): ContextInput {
  return {
    diagnosis,
    attempt: ctx.attempt,
    maxAttempts: ctx.maxAttempts,
    sql: ctx.sql,
    tableCount: ctx.schema.tables.length,
    previousArm: ctx.previousArm,
    previousErrorClass: ctx.previousDiagnosis?.errorClass,
  };
}
