import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { bigintToCell, blobToCell, capText } from './cells.js';
import type { Cell } from './engine.js';
import { rewriteLegacyDoubleQuote } from './legacy-double-quotes.js';

/** One query for a worker; `sql` has already passed the statement guard. */
export interface QueryJob {
  file: string;
  sql: string;
  maxRows: number;
  cellCapBytes: number;
  isLegacyDoubleQuotes: boolean;
}

export interface QueryRows {
  ok: true;
  columns: string[];
  rows: Cell[][];
  isTruncated: boolean;
  hasTruncatedCells: boolean;
  floatCells: number[];
  executedSql: string;
}

export interface QueryFailure {
  ok: false;
  kind: 'error' | 'rejected';
  code: string;
  message: string;
}

export type QueryReply = QueryRows | QueryFailure;

export interface QueryRunner {
  run(job: QueryJob): QueryReply;
  close(): void;
}

const MAX_LEGACY_REWRITES = 10;
// why: a result is copied to the parent in one message; a few hundred MiB of cells must not take the server down.
const MAX_RESULT_BYTES = 256 * 1024 * 1024;

class ResultTooLargeError extends Error {
  readonly code = 'RESULT_TOO_LARGE';
  constructor() {
    super(`The result is larger than ${MAX_RESULT_BYTES / 1024 / 1024} MiB; select fewer rows or smaller columns`);
  }
}
// why: process-wide SQLite allocation ceiling, so randomblob(1e9) or a huge sort fails with SQLITE_NOMEM quickly.
const HARD_HEAP_LIMIT_BYTES = 512 * 1024 * 1024;

interface Handle {
  db: Database.Database;
  statements: LRUCache<string, Database.Statement<unknown[], unknown[]>>;
}

function readRows(stmt: Database.Statement<unknown[], unknown[]>, job: QueryJob, executedSql: string): QueryRows {
  const columns = stmt.columns().map((c) => c.name);
  const width = columns.length;
  const rows: Cell[][] = [];
  const floatCells: number[] = [];
  let isTruncated = false;
  let hasTruncatedCells = false;
  let resultBytes = 0;
  for (const raw of stmt.iterate()) {
    if (rows.length >= job.maxRows) {
      isTruncated = true;
      break;
    }
    resultBytes += 8 * width;
    const base = rows.length * width;
    const row: Cell[] = new Array<Cell>(width);
    for (let c = 0; c < width; c += 1) {
      const v = raw[c];
      if (typeof v === 'number') {
        row[c] = v;
        if (Number.isInteger(v)) floatCells.push(base + c);
      } else if (typeof v === 'bigint') row[c] = bigintToCell(v);
      else if (v === null || v === undefined) row[c] = null;
      else {
        const capped = typeof v === 'string' ? capText(v, job.cellCapBytes) : blobToCell(v as Uint8Array, job.cellCapBytes);
        row[c] = capped.cell;
        hasTruncatedCells ||= capped.isCut;
        resultBytes += 2 * capped.cell.length;
      }
    }
    if (resultBytes > MAX_RESULT_BYTES) throw new ResultTooLargeError();
    rows.push(row);
  }
  return { ok: true, columns, rows, isTruncated, hasTruncatedCells, floatCells, executedSql };
}

function toFailure(err: unknown): QueryFailure {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, kind: 'error', code: typeof code === 'string' ? code : 'SQLITE_ERROR', message };
}

const NOT_READ_ONLY: QueryFailure = {
  ok: false,
  kind: 'rejected',
  code: 'REJECTED',
  message: 'This statement is not allowed: only one read-only SELECT/WITH/VALUES statement per call',
};

/** How a runner prepares each handle it opens. */
export interface HandleSetup {
  /** Sets the process-wide SQLite heap limit (hard_heap_limit) on the first open: right in a worker process only. */
  limitsHeap: boolean;
  onOpen?(db: Database.Database): void;
}

const WORKER_SETUP: HandleSetup = { limitsHeap: true };

/**
 * Runs guarded queries on read-only SQLite files, in a worker process or under sqlite-inline.ts's budget: caches
 * open handles (LRU) and prepared statements, returns INTEGER as exact numbers (or decimal strings) and REAL as
 * numbers, and applies the row and cell caps. Never throws for a query's own errors. An open handle on a rollback-journal file holds a
 * shared lock: other readers go on, a writer gets SQLITE_BUSY until the handle closes (its worker stops or the LRU
 * drops it). Task databases are read-only to the server anyway, and its gold results are cached on that assumption.
 */
export function createQueryRunner(maxHandles = 32, maxStatements = 64, setup: HandleSetup = WORKER_SETUP): QueryRunner {
  const handles = new LRUCache<string, Handle>({ max: maxHandles, dispose: (h) => h.db.close() });
  let needsHeapLimit = setup.limitsHeap;

  function open(file: string): Handle {
    let handle = handles.get(file);
    if (handle === undefined) {
      handle = { db: new Database(file, { readonly: true, fileMustExist: true }), statements: new LRUCache({ max: maxStatements }) };
      handle.db.pragma('query_only = 1');
      // why: in the default (NORMAL) mode every query takes and drops a shared fcntl lock and checks for a hot journal
      // and a changed file, ~8 of the ~17 µs a bench:server step's query took. Held once, the shared lock still lets
      // every other reader in and keeps writers out while the handle is open. Not for WAL files: there EXCLUSIVE
      // would lock out the other workers' readers.
      if (handle.db.pragma('journal_mode', { simple: true }) !== 'wal') handle.db.pragma('locking_mode = EXCLUSIVE');
      if (needsHeapLimit) handle.db.pragma(`hard_heap_limit = ${HARD_HEAP_LIMIT_BYTES}`);
      needsHeapLimit = false;
      try {
        setup.onOpen?.(handle.db);
      } catch (err) {
        handle.db.close();
        throw err;
      }
      handles.set(file, handle);
    }
    return handle;
  }

  function prepare(handle: Handle, sql: string): Database.Statement<unknown[], unknown[]> | undefined {
    let stmt = handle.statements.get(sql);
    if (stmt === undefined) {
      stmt = handle.db.prepare<unknown[], unknown[]>(sql);
      if (!stmt.readonly || !stmt.reader) return undefined;
      stmt.raw(true).safeIntegers(true);
      handle.statements.set(sql, stmt);
    }
    return stmt;
  }

  function runOnce(job: QueryJob, sql: string): QueryReply {
    const stmt = prepare(open(job.file), sql);
    if (stmt === undefined) return NOT_READ_ONLY;
    return readRows(stmt, job, sql);
  }

  return {
    run(job) {
      let sql = job.sql;
      for (let rewrites = 0; ; rewrites += 1) {
        try {
          return runOnce(job, sql);
        } catch (err) {
          const next = job.isLegacyDoubleQuotes && rewrites < MAX_LEGACY_REWRITES && err instanceof Error
            ? rewriteLegacyDoubleQuote(sql, err.message)
            : undefined;
          if (next === undefined) return toFailure(err);
          sql = next;
        }
      }
    },
    close() {
      handles.clear();
    },
  };
}
