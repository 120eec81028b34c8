import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.server).toEqual({ port: 8000, host: '0.0.0.0', apiToken: undefined });
    expect(config.sql).toMatchObject({ timeoutMs: 5000, maxRows: 1000, cellCapBytes: 65536, gradeMaxRows: 20000, databaseUrl: undefined });
    expect(config.score).toEqual({ min: 0.05, max: 0.95, successThreshold: 0.8 });
    expect(config.episode).toEqual({ maxAttempts: 5, defaultTask: 'simple_queries', defaultDialect: 'sqlite' });
    expect(config.model.backend).toBe('none');
  });

  it('lists every bad variable at once and masks secrets', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', SQL_TIMEOUT_MS: '-5', POLICY_STORE_SCHEMA: 'Bad Name', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'SQL_TIMEOUT_MS', 'POLICY_STORE_SCHEMA', 'LOG_LEVEL']) expect(problems).toContain(name);
  });

  it('lets the SQLite pool grow to 4 × SQL_WORKERS for slow queries by default, and never below SQL_WORKERS', () => {
    expect(loadConfig({ SQL_WORKERS: '3' }).sql).toMatchObject({ workers: 3, maxWorkers: 12, slowMs: 250 });
    expect(loadConfig({ SQL_WORKERS: '3', SQL_MAX_WORKERS: '2', SQL_SLOW_MS: '900' }).sql).toMatchObject({ workers: 3, maxWorkers: 3, slowMs: 900 });
  });

  it('lets PostgreSQL open 2 × PG_POOL_SIZE connections for slow queries by default, and never fewer than PG_POOL_SIZE', () => {
    expect(loadConfig({ PG_POOL_SIZE: '5' }).sql).toMatchObject({ pgPoolSize: 5, pgMaxConnections: 10 });
    expect(loadConfig({ PG_POOL_SIZE: '5', PG_MAX_CONNECTIONS: '3' }).sql).toMatchObject({ pgPoolSize: 5, pgMaxConnections: 5 });
  });

  it('refuses SCORE_MIN at or above SCORE_MAX', () => {
    expect(() => loadConfig({ SCORE_MIN: '0.9', SCORE_MAX: '0.5' })).toThrow(ConfigError);
  });

  it('picks the model backend from what is configured, and the key from LLM_API_KEY, OPENAI_API_KEY, then HF_TOKEN', () => {
    expect(loadConfig({ MODEL_DIR: '/m' }).model.backend).toBe('onnx');
    expect(loadConfig({ HF_TOKEN: 'hf' }).model).toMatchObject({ backend: 'openai', apiKey: 'hf' });
    expect(loadConfig({ OPENAI_API_KEY: 'oa', HF_TOKEN: 'hf' }).model.apiKey).toBe('oa');
    expect(loadConfig({ LLM_API_KEY: 'l', OPENAI_API_KEY: 'oa' }).model.apiKey).toBe('l');
    expect(loadConfig({ MODEL_BACKEND: 'none', LLM_API_KEY: 'l' }).model.backend).toBe('none');
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.sql)).toBe(true);
  });
});
