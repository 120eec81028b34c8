import { describe, expect, it } from 'vitest';
import type { AttemptContext, DbSchema } from '../../src/env/index.js';
import { ERROR_CLASSES } from '../../src/rl/error-class.js';
import {
  FEATURE_DIM,
  FEATURE_NAMES,
  FEATURE_SCHEMA_HASH,
  buildContext,
  classFeatureIndex,
  contextInputOf,
  type ContextInput,
} from '../../src/rl/features.js';
import { buildPriorTheta } from '../../src/rl/warm-start.js';
import { ARM_NAMES } from '../../src/rl/arms.js';

const at = (x: Float64Array, name: (typeof FEATURE_NAMES)[number]): number => x[FEATURE_NAMES.indexOf(name)] as number;

const base: ContextInput = {
  diagnosis: { errorClass: 'UNKNOWN_COLUMN', token: 'nam', candidates: [{ name: 'singer.name', score: 0.75 }] },
  attempt: 2,
  maxAttempts: 5,
  sql: 'SELECT nam FROM singer',
  tableCount: 10,
};

describe('feature schema', () => {
  it('has about 24 named features: bias, the 13 class one-hots, attempt, token, shape, schema size, history', () => {
    expect(FEATURE_DIM).toBe(FEATURE_NAMES.length);
    expect(FEATURE_DIM).toBeGreaterThanOrEqual(20);
    expect(FEATURE_DIM).toBeLessThanOrEqual(32);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_DIM);
    expect(FEATURE_NAMES[0]).toBe('bias');
    expect(ERROR_CLASSES.map((c) => classFeatureIndex(c))).toEqual(ERROR_CLASSES.map((_, i) => i + 1));
    expect(classFeatureIndex('NOT_A_CLASS')).toBeUndefined();
  });

  it('has a short hex hash of the names and version', () => {
    expect(FEATURE_SCHEMA_HASH).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives warm-start a one-hot index for every class, so the prior table maps onto the context', () => {
    const prior = buildPriorTheta({ armNames: ARM_NAMES, d: FEATURE_DIM, classFeatureIndex });
    const theta = prior.FIX_IDENTIFIER;
    expect(theta?.[classFeatureIndex('UNKNOWN_COLUMN') as number]).toBeGreaterThan(0);
    expect(theta?.[classFeatureIndex('SYNTAX') as number]).toBe(0);
  });
});

describe('buildContext', () => {
  it('returns FEATURE_DIM values, all in [0, 1], with the bias and exactly one class set', () => {
    const x = buildContext(base);
    expect(x).toBeInstanceOf(Float64Array);
    expect(x).toHaveLength(FEATURE_DIM);
    expect([...x].every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(at(x, 'bias')).toBe(1);
    const classes = ERROR_CLASSES.map((c) => x[classFeatureIndex(c) as number]);
    expect(classes.filter((v) => v === 1)).toHaveLength(1);
    expect(at(x, 'class_unknown_column')).toBe(1);
  });

  it('encodes attempt, token, best candidate score and schema size', () => {
    const x = buildContext(base);
    expect(at(x, 'attempt_fraction')).toBeCloseTo(0.4);
    expect(at(x, 'has_token')).toBe(1);
    expect(at(x, 'best_candidate_score')).toBeCloseTo(0.75);
    expect(at(x, 'log_tables_over_log_100')).toBeCloseTo(0.5);
    const bare = buildContext({ ...base, diagnosis: { errorClass: 'TIMEOUT', candidates: [] }, tableCount: 1 });
    expect([at(bare, 'has_token'), at(bare, 'best_candidate_score'), at(bare, 'log_tables_over_log_100')]).toEqual([0, 0, 0]);
  });

  it('encodes the query shape and clips large counts to 1', () => {
    const sql = `SELECT T1.name, count(*) FROM singer T1 JOIN singer_in_concert T2 ON T1.singer_id = T2.singer_id
      WHERE T1.age > 30 AND T1.country = 'France' GROUP BY T1.name ORDER BY count(*) DESC LIMIT 3`;
    const x = buildContext({ ...base, sql });
    expect(at(x, 'joins_over_4')).toBeCloseTo(0.25);
    expect(at(x, 'has_group_by')).toBe(1);
    expect(at(x, 'has_aggregate')).toBe(1);
    expect(at(x, 'has_order_or_limit')).toBe(1);
    expect(at(x, 'predicates_over_5')).toBeCloseTo(3 / 5);
    expect(at(x, 'subqueries_over_3')).toBe(0);
    const many = 'SELECT 1 FROM a JOIN b ON a.x=b.x JOIN c ON c.x=b.x JOIN d ON d.x=c.x JOIN e ON e.x=d.x JOIN f ON f.x=e.x WHERE a.y IN (SELECT 1) AND a.z IN (SELECT 2) AND a.w IN (SELECT 3) AND a.v IN (SELECT 4)';
    const y = buildContext({ ...base, sql: many, attempt: 9, tableCount: 10_000 });
    expect([at(y, 'joins_over_4'), at(y, 'subqueries_over_3'), at(y, 'predicates_over_5'), at(y, 'attempt_fraction'), at(y, 'log_tables_over_log_100')]).toEqual([1, 1, 1, 1, 1]);
  });

  it('has all shape features 0 without SQL, and maps an unknown class to OTHER', () => {
    const x = buildContext({ ...base, sql: null, diagnosis: { errorClass: 'SOMETHING_NEW', candidates: [] } });
    expect(at(x, 'class_other')).toBe(1);
    expect(['joins_over_4', 'subqueries_over_3', 'has_group_by', 'has_aggregate', 'has_order_or_limit', 'predicates_over_5'].map((n) => at(x, n as never))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('marks a failed previous repair arm and an unchanged class, but not a first attempt', () => {
    const first = buildContext({ ...base, previousArm: 'generate' });
    expect([at(first, 'previous_arm_failed'), at(first, 'error_class_unchanged')]).toEqual([0, 0]);
    const again = buildContext({ ...base, previousArm: 'FIX_IDENTIFIER', previousErrorClass: 'UNKNOWN_COLUMN' });
    expect([at(again, 'previous_arm_failed'), at(again, 'error_class_unchanged')]).toEqual([1, 1]);
    const moved = buildContext({ ...base, previousArm: 'FIX_IDENTIFIER', previousErrorClass: 'SYNTAX' });
    expect(at(moved, 'error_class_unchanged')).toBe(0);
  });

  it('builds the input from an environment attempt context', () => {
    const schema: DbSchema = { dialect: 'sqlite', database: 'db', tables: [] };
    const ctx = {
      episodeId: 'e', dialect: 'sqlite', database: 'db', question: 'q', schema, schemaInfo: '', legacyDoubleQuotes: false, attempt: 3, maxAttempts: 5,
      sql: 'SELECT 1', previousArm: 'REGENERATE', previousDiagnosis: { errorClass: 'SYNTAX', rawCode: 'x', rawMessage: 'y', candidates: [] },
    } satisfies AttemptContext;
    const diagnosis = { errorClass: 'SYNTAX', rawCode: 'SQLITE_ERROR', rawMessage: 'incomplete input', candidates: [] };
    expect(contextInputOf(ctx, diagnosis)).toEqual({ diagnosis, attempt: 3, maxAttempts: 5, sql: 'SELECT 1', tableCount: 0, previousArm: 'REGENERATE', previousErrorClass: 'SYNTAX' });
  });
});
