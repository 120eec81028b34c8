import { performance } from 'node:perf_hooks';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { SqlConfig } from '../../config.js';
import { DatabaseUnavailableError, UnknownDatabaseError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { DbSchema, ExecOptions, ExecResult, ExecSuccess, SqlEngine, SqlFailure } from './engine.js';
import { isConnectionFault, noAnswerFailure, toSqlFailure, unavailableMessage } from './pg-failure.js';
import { loadPgSchema, quoteIdent } from './pg-schema.js';
import { Places } from './places.js';
import { createPgTypeParsers, PG_SESSION_OPTIONS, toCellRows } from './pg-types.js';
import { checkStatement } from './statement-guard.js';

export type PgEngineConfig = Pick<SqlConfig, 'timeoutMs' | 'maxRows' | 'cellCapBytes' | 'pgPoolSize' | 'pgMaxConnections' | 'pgTempFileLimitMb' | 'slowMs'> & {
  databaseUrl: string;
};

export interface PgEngineOptions {
  /** application_name of the pool's connections, as pg_stat_activity shows it. Default 'sql-repair-env'. */
  applicationName?: string;
  /** How long opening a connection may take. Default 5000. */
  connectTimeoutMs?: number;
}

/** The PostgreSQL SqlEngine: each "database" is a schema of the one PostgreSQL database in `databaseUrl`. */
export interface PgEngine extends SqlEngine {
  readonly dialect: 'postgres';
  readonly applicationName: string;
  /** Re-reads the list of non-system schemas. Throws DatabaseUnavailableError. */
  refreshDatabases(): Promise<string[]>;
}

interface Limits {
  timeoutMs: number;
  maxRows: number;
  cellCapBytes: number;
}

// why: statement_timeout is the real limit; this only frees a connection whose server stopped answering.
const NO_ANSWER_GRACE_MS = 1000;

const SCHEMAS_SQL = `SELECT nspname FROM pg_namespace
WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\\_%' ORDER BY nspname`;

class ConnectionFault extends Error {
  constructor(readonly fault: unknown) {
    super('connection fault');
  }
}

class PgEngineImpl implements PgEngine {
  readonly dialect = 'postgres' as const;
  readonly applicationName: string;
  private readonly pool: pg.Pool;
  /**
   * Queries run `pgPoolSize` at a time; one past `slowMs` gives its place back and keeps its connection, so quick
   * queries do not wait out a runaway one's statement_timeout. The pool's `pgMaxConnections` bound them all.
   */
  private readonly places: Places;
  private readonly types = createPgTypeParsers();
  private known = new Set<string>();
  private refreshing: Promise<string[]> | undefined;
  private readonly schemas = new Map<string, Promise<DbSchema>>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly cfg: PgEngineConfig,
    private readonly log: Logger,
    options: PgEngineOptions,
  ) {
    this.applicationName = options.applicationName ?? 'sql-repair-env';
    this.places = new Places(cfg.pgPoolSize);
    this.pool = new pg.Pool({
      connectionString: cfg.databaseUrl,
      max: cfg.pgMaxConnections,
      application_name: this.applicationName,
      options: PG_SESSION_OPTIONS,
      types: this.types,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
    });
    // why: an idle client whose server went away emits 'error'; unhandled, it would crash the process.
    this.pool.on('error', (err) => this.log.warn({ err }, 'idle PostgreSQL connection lost'));
    this.pool.on('connect', (client) => {
      // why: a checked-out client whose socket dies (e.g. pg-cursor syncing on a terminated connection) emits
      // 'error' outside any query; unhandled, that would crash the server. The query itself fails on its own.
      client.on('error', (err) => this.log.warn({ err }, 'PostgreSQL connection lost'));
      this.capTempFiles(client);
    });
  }

  private hasWarnedTempFileLimit = false;

  /**
   * Caps the temporary files one query may write (sorts, hashes and recursive CTEs spill to disk): a runaway
   * `WITH RECURSIVE` wrote ~60 MB a second here until its statement_timeout. Queued first on the new connection, so
   * it runs before the connection's first query; outside any transaction, so a refusal affects nothing else.
   * temp_file_limit is for superusers to set: for another role it is refused, and the server's setting stays.
   */
  private capTempFiles(client: pg.PoolClient): void {
    if (this.cfg.pgTempFileLimitMb === 0) return;
    client.query(`SET temp_file_limit = '${this.cfg.pgTempFileLimitMb}MB'`).catch((err: unknown) => {
      if (this.hasWarnedTempFileLimit) return;
      this.hasWarnedTempFileLimit = true;
      this.log.warn(
        { err, limitMb: this.cfg.pgTempFileLimitMb },
        `could not cap agent queries' temporary files (temp_file_limit needs a superuser); set it for the server's role instead: ALTER ROLE <role> SET temp_file_limit = '${this.cfg.pgTempFileLimitMb}MB'`,
      );
    });
  }

  databases(): string[] {
    return [...this.known];
  }

  refreshDatabases(): Promise<string[]> {
    this.refreshing ??= this.withConnection(async (client) => {
      const result = await client.query<{ nspname: string }>(SCHEMAS_SQL);
      this.known = new Set(result.rows.map((r) => r.nspname));
      return this.databases();
    }).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  async execute(database: string, sql: string, options: ExecOptions = {}): Promise<ExecResult> {
    const startedAt = performance.now();
    await this.requireDatabase(database);
    const checked = checkStatement(sql, 'postgres');
    if (!checked.ok) return rejected(checked.reason, elapsedSince(startedAt));
    const limits: Limits = {
      timeoutMs: options.timeoutMs ?? this.cfg.timeoutMs,
      maxRows: options.maxRows ?? this.cfg.maxRows,
      cellCapBytes: options.cellCapBytes ?? this.cfg.cellCapBytes,
    };
    return this.retryOnFault(() => this.runOnce(database, checked.sql, limits, startedAt));
  }

  async schema(database: string): Promise<DbSchema> {
    await this.requireDatabase(database);
    let loading = this.schemas.get(database);
    if (loading === undefined) {
      loading = this.withConnection((client) => loadPgSchema(client, database, this.cfg.cellCapBytes));
      this.schemas.set(database, loading);
      loading.catch(() => this.schemas.delete(database));
    }
    return loading;
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  private async requireDatabase(database: string): Promise<void> {
    if (this.known.has(database)) return;
    await this.refreshDatabases();
    if (!this.known.has(database)) throw new UnknownDatabaseError(database);
  }

  /** Runs `work` on a pooled connection; a connection fault is retried once, then becomes DatabaseUnavailableError. */
  private withConnection<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.retryOnFault(async () => {
      const client = await this.connect();
      let fault: Error | undefined;
      try {
        return await work(client);
      } catch (err) {
        if (isConnectionFault(err)) fault = new ConnectionFault(err);
        throw fault ?? err;
      } finally {
        client.release(fault);
      }
    });
  }

  private async retryOnFault<T>(attempt: () => Promise<T>): Promise<T> {
    // why: after a server restart every idle pooled connection is dead; each failed try destroys one, so
    // pgMaxConnections + 1 tries always reach a fresh connection when the server is up again.
    const tries = this.cfg.pgMaxConnections + 1;
    let last: ConnectionFault | undefined;
    for (let i = 0; i < tries; i += 1) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof ConnectionFault)) throw err;
        last = err;
        if (i === 0) this.log.warn({ err: err.fault }, 'PostgreSQL connection failed; retrying on a fresh connection');
        if (isRefused(err.fault)) break;
      }
    }
    throw new DatabaseUnavailableError(unavailableMessage(this.cfg.databaseUrl, last?.fault), last?.fault);
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw new ConnectionFault(err);
    }
  }

  private async runOnce(schema: string, sql: string, limits: Limits, startedAt: number): Promise<ExecResult> {
    const givePlaceBack = await this.places.take();
    const slowTimer = setTimeout(givePlaceBack, this.cfg.slowMs);
    try {
      return await this.runOnConnection(schema, sql, limits, startedAt);
    } finally {
      clearTimeout(slowTimer);
      givePlaceBack();
    }
  }

  private async runOnConnection(schema: string, sql: string, limits: Limits, startedAt: number): Promise<ExecResult> {
    const client = await this.connect();
    let timer: NodeJS.Timeout | undefined;
    const noAnswer = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), limits.timeoutMs + NO_ANSWER_GRACE_MS);
    });
    const work = this.runInReadOnlyTransaction(client, schema, sql, limits, startedAt);
    let fault: Error | undefined;
    try {
      const result = await Promise.race([work, noAnswer]);
      if (result !== undefined) return result;
      // why: the server stopped answering; a released-with-error client is destroyed, whatever its query does.
      work.catch(() => undefined);
      fault = new Error(`no answer within ${limits.timeoutMs + NO_ANSWER_GRACE_MS} ms`);
      return noAnswerFailure(limits.timeoutMs, elapsedSince(startedAt));
    } catch (err) {
      if (isConnectionFault(err)) fault = new ConnectionFault(err);
      throw fault ?? err;
    } finally {
      clearTimeout(timer);
      client.release(fault);
    }
  }

  private async runInReadOnlyTransaction(
    client: pg.PoolClient,
    schema: string,
    sql: string,
    limits: Limits,
    startedAt: number,
  ): Promise<ExecResult> {
    const timeoutMs = Math.max(1, Math.floor(limits.timeoutMs));
    await client.query(
      `BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL search_path TO ${quoteIdent(schema)}`,
    );
    let result: ExecResult;
    try {
      result = await this.readCapped(client, sql, limits, startedAt);
    } catch (err) {
      if (!(err instanceof pg.DatabaseError) || isConnectionFault(err)) throw err;
      result = toSqlFailure(err, timeoutMs, elapsedSince(startedAt));
    }
    await client.query('ROLLBACK');
    return result;
  }

  /** Reads at most maxRows + 1 rows through a cursor, so a huge result never sits in memory. */
  private async readCapped(client: pg.PoolClient, sql: string, limits: Limits, startedAt: number): Promise<ExecSuccess> {
    const cursor = client.query(new Cursor<unknown[]>(sql, undefined, { rowMode: 'array', types: this.types }));
    const { rows, fields } = await new Promise<{ rows: unknown[][]; fields: pg.FieldDef[] }>((resolve, reject) => {
      cursor.read(limits.maxRows + 1, (err, read, result) => {
        if (err !== undefined && err !== null) reject(err);
        else resolve({ rows: read, fields: result.fields });
      });
    });
    await cursor.close();
    const isTruncated = rows.length > limits.maxRows;
    const kept = isTruncated ? rows.slice(0, limits.maxRows) : rows;
    const cells = toCellRows(kept, fields.map((f) => f.dataTypeID), limits.cellCapBytes);
    return {
      ok: true,
      columns: fields.map((f) => f.name),
      rows: cells.rows,
      rowCount: cells.rows.length,
      isTruncated,
      hasTruncatedCells: cells.hasTruncatedCells,
      floatCells: cells.floatCells,
      elapsedMs: elapsedSince(startedAt),
      executedSql: sql,
    };
  }
}

function elapsedSince(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 100) / 100;
}

function rejected(reason: string, elapsedMs: number): SqlFailure {
  return { ok: false, kind: 'rejected', dialect: 'postgres', code: 'REJECTED', message: reason, elapsedMs };
}

/**
 * Creates the PostgreSQL engine (a pg pool of `pgPoolSize` connections) and reads the schema list. Never throws
 * for an unreachable server: the list stays empty and later calls throw DatabaseUnavailableError.
 */
export async function createPgEngine(cfg: PgEngineConfig, log: Logger, options: PgEngineOptions = {}): Promise<PgEngine> {
  const engine = new PgEngineImpl(cfg, log.child({ mod: 'env.pg' }), options);
  await engine.refreshDatabases().catch((err: unknown) => log.warn({ err }, 'PostgreSQL schema list not read at start'));
  return engine;
}

/** A connection that could not even be opened: retrying on another pooled connection cannot help. */
function isRefused(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH';
}
