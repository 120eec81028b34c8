import fs from 'node:fs';
import path from 'node:path';
import type { SqlConfig } from '../../config.js';
import { DatabaseUnavailableError, UnknownDatabaseError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { DbSchema, ExecOptions, ExecResult, SqlEngine, SqlFailure } from './engine.js';
import { checkStatement } from './statement-guard.js';
import { createInlineRunner, type InlineStats } from './sqlite-inline.js';
import { createSqlitePool, type PoolOutcome } from './sqlite-pool.js';
import { createResultCache, type ResultCacheStats } from './sqlite-result-cache.js';
import { readSqliteSchema } from './sqlite-schema.js';

export interface SqliteEngine extends SqlEngine {
  readonly dialect: 'sqlite';
  /** Makes `filePath` reachable as `name` (replacing an earlier file of that name). Throws DatabaseUnavailableError if absent. */
  addDatabase(name: string, filePath: string): void;
  /** Starts the worker processes now instead of on the first query. */
  warmUp(): Promise<void>;
  /** Process ids of the live worker processes (diagnostics and tests). */
  workerPids(): number[];
  /** What ran on the calling thread (sqlite-inline.ts); undefined when that is off. */
  inlineStats(): InlineStats | undefined;
  /** Hits and contents of the result cache (sqlite-result-cache.ts); undefined when it is off. */
  resultCacheStats(): ResultCacheStats | undefined;
}

function elapsedSince(startedMs: number): number {
  return Math.round((performance.now() - startedMs) * 100) / 100;
}

function failure(kind: SqlFailure['kind'], code: string, message: string, startedMs: number): SqlFailure {
  return { ok: false, kind, dialect: 'sqlite', code, message, elapsedMs: elapsedSince(startedMs) };
}

function toResult(outcome: PoolOutcome, timeoutMs: number, startedMs: number): ExecResult {
  if (outcome.ok) {
    return {
      ok: true,
      columns: outcome.columns,
      rows: outcome.rows,
      isTruncated: outcome.isTruncated,
      hasTruncatedCells: outcome.hasTruncatedCells,
      floatCells: outcome.floatCells,
      executedSql: outcome.executedSql,
      rowCount: outcome.rows.length,
      elapsedMs: elapsedSince(startedMs),
    };
  }
  switch (outcome.kind) {
    case 'timeout':
      return failure('timeout', 'TIMEOUT', `Query exceeded the ${timeoutMs} ms timeout and was stopped`, startedMs);
    case 'crashed':
      return failure('error', 'WORKER_CRASHED', outcome.message, startedMs);
    case 'error':
    case 'rejected':
      return failure(outcome.kind, outcome.code, outcome.message, startedMs);
  }
}

/**
 * The SQLite engine: read-only files by database name. A query runs first on the calling thread under
 * `cfg.inlineBudgetMs` (sqlite-inline.ts); one that outgrows it, or every query when that is off, runs on one of
 * `cfg.workers` worker processes (started on first use or by warmUp). There the timeout runs from when a worker
 * takes the query (not while it waits in the queue); past it the worker is SIGKILLed and replaced. A text that
 * answered before is answered from the result cache (sqlite-result-cache.ts), before the guard. Schema introspection
 * runs in-process, cached.
 */
export function createSqliteEngine(cfg: SqlConfig, log: Logger, databases: Record<string, string> = {}): SqliteEngine {
  const files = new Map<string, string>();
  const schemas = new Map<string, Promise<DbSchema>>();
  const sqliteLog = log.child({ mod: 'env.sqlite' });
  const pool = createSqlitePool({ size: cfg.workers, maxSize: cfg.maxWorkers, slowMs: cfg.slowMs }, sqliteLog);
  const inline = createInlineRunner({ budgetMs: cfg.inlineBudgetMs }, sqliteLog);
  let results = createResultCache(cfg.resultCacheMb * 1024 * 1024);

  function fileFor(database: string): string {
    const file = files.get(database);
    if (file === undefined) throw new UnknownDatabaseError(database);
    return file;
  }

  function addDatabase(name: string, filePath: string): void {
    const file = path.resolve(filePath);
    if (!fs.existsSync(file)) throw new DatabaseUnavailableError(`SQLite file for database '${name}' not found: ${file}`);
    files.set(name, file);
    schemas.delete(name);
    // why everything: the file may be new under an old path; replacing a database is rare.
    results?.clear();
  }

  for (const [name, filePath] of Object.entries(databases)) addDatabase(name, filePath);

  async function loadSchema(database: string, file: string): Promise<DbSchema> {
    await Promise.resolve();
    try {
      return readSqliteSchema(database, file);
    } catch (err) {
      schemas.delete(database);
      throw new DatabaseUnavailableError(`Cannot read the schema of database '${database}'`, err);
    }
  }

  return {
    dialect: 'sqlite',
    addDatabase,
    warmUp: () => pool.warmUp(),
    workerPids: () => pool.pids(),
    inlineStats: () => inline?.stats(),
    resultCacheStats: () => results?.stats(),
    databases: () => [...files.keys()].sort(),

    async execute(database: string, sql: string, options: ExecOptions = {}): Promise<ExecResult> {
      const startedMs = performance.now();
      const request = {
        file: fileFor(database),
        sql,
        maxRows: options.maxRows ?? cfg.maxRows,
        cellCapBytes: options.cellCapBytes ?? cfg.cellCapBytes,
        isLegacyDoubleQuotes: options.legacyDoubleQuotes ?? false,
      };
      const timeoutMs = options.timeoutMs ?? cfg.timeoutMs;
      const cached = results?.get(request, timeoutMs);
      if (cached !== undefined) return toResult(cached, timeoutMs, startedMs);
      const check = checkStatement(sql, 'sqlite');
      if (!check.ok) return failure('rejected', 'REJECTED', check.reason, startedMs);
      const job = { ...request, sql: check.sql };
      // why two budgets: the extension stops a statement after one to two of them.
      const isInlineAllowed = timeoutMs >= 2 * cfg.inlineBudgetMs;
      const outcome = (isInlineAllowed ? inline?.tryRun(job) : undefined) ?? (await pool.run(job, timeoutMs));
      if (outcome.ok) results?.set(request, timeoutMs, outcome);
      return toResult(outcome, timeoutMs, startedMs);
    },

    async schema(database: string): Promise<DbSchema> {
      const file = fileFor(database);
      let cached = schemas.get(database);
      if (cached === undefined) {
        cached = loadSchema(database, file);
        schemas.set(database, cached);
      }
      return cached;
    },

    close: () => {
      // why: a closed engine answers nothing, not even what it ran before.
      results = undefined;
      inline?.close();
      return pool.close();
    },
  };
}
