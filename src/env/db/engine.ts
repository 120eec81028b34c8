/**
 * The one SQL engine interface both dialects implement (SQLite through a worker pool, PostgreSQL through pg).
 * An agent's failing SQL comes back as a SqlFailure value, never as a throw; only infrastructure faults
 * (database down, unknown database name) throw AppErrors.
 */
export type Dialect = 'sqlite' | 'postgres';

/** A JSON-safe cell: integers and floats as numbers, text as strings, BLOBs as `\x<hex>` strings, NULL as null. */
export type Cell = string | number | null;

export interface ExecOptions {
  /** Wall-clock limit; default from config (SQL_TIMEOUT_MS). */
  timeoutMs?: number;
  /** At most this many rows are kept; one more is read to set `isTruncated`. Default MAX_ROWS. */
  maxRows?: number;
  /** Text/BLOB cells longer than this (UTF-8 bytes) are cut and `hasTruncatedCells` set. Default CELL_CAP_BYTES. */
  cellCapBytes?: number;
  /**
   * Emulate an SQLite that accepts double-quoted string literals (Python's sqlite3, used by Spider's evaluator):
   * a `"x"` that does not resolve as an identifier is read as the string 'x'. SQLite only; ignored by PostgreSQL.
   */
  legacyDoubleQuotes?: boolean;
}

export interface ExecSuccess {
  ok: true;
  columns: string[];
  rows: Cell[][];
  /** Rows returned (≤ maxRows). */
  rowCount: number;
  /** More rows existed than maxRows. */
  isTruncated: boolean;
  /** At least one cell was cut at cellCapBytes. */
  hasTruncatedCells: boolean;
  /**
   * Flat indices (row * columns.length + col) of cells that hold a floating-point value with an integral
   * value (e.g. 3.0). JSON loses the int/float distinction; Spider's evaluator sorts by Python's str(v) + type.
   */
  floatCells: number[];
  elapsedMs: number;
  /** The SQL actually run (after a legacy double-quote rewrite, if any). */
  executedSql: string;
}

/** Why a query produced no result. `code` is the dialect's raw code (SQLite result code name or PG SQLSTATE). */
export interface SqlFailure {
  ok: false;
  kind: 'error' | 'timeout' | 'rejected';
  dialect: Dialect;
  /** 'SQLITE_ERROR', a SQLSTATE like '42703', 'TIMEOUT' or 'REJECTED'. */
  code: string;
  message: string;
  /** PostgreSQL: 1-based character position in the SQL, when the server gave one. */
  position?: number;
  /** PostgreSQL HINT, e.g. 'Perhaps you meant to reference the column "t.c".' */
  hint?: string;
  detail?: string;
  elapsedMs: number;
}

export type ExecResult = ExecSuccess | SqlFailure;

export interface ColumnInfo {
  name: string;
  /** Declared type as the database reports it (upper-case). */
  type: string;
  isPrimaryKey: boolean;
  isNotNull: boolean;
}

export interface ForeignKey {
  fromTable: string;
  fromColumn: string;
  toTable: string;
  toColumn: string;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  foreignKeys: ForeignKey[];
  /** A CREATE TABLE statement for the table in the engine's dialect. */
  createSql: string;
  /** The first rows of the table (at most 3), for schema_info. */
  sampleRows: Cell[][];
}

export interface DbSchema {
  dialect: Dialect;
  database: string;
  tables: TableInfo[];
}

export interface SqlEngine {
  readonly dialect: Dialect;
  /** Runs one read-only statement under the timeout and caps. Never throws for bad SQL. */
  execute(database: string, sql: string, options?: ExecOptions): Promise<ExecResult>;
  /** Tables, columns, keys and sample rows. Throws UnknownDatabaseError. Cached per database. */
  schema(database: string): Promise<DbSchema>;
  /** Names of the databases this engine can reach. */
  databases(): string[];
  /** Idempotent. */
  close(): Promise<void>;
}
