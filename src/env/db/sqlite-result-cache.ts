import { LRUCache } from 'lru-cache';
import type { QueryJob, QueryRows } from './sqlite-query.js';

/**
 * SQLite functions whose value changes from one run of the same text to the next (the clock, random numbers, the
 * connection's write counters). A text that names one anywhere, even as a column name or inside a string, is never
 * cached: false alarms cost one run each, a missed one would freeze a value.
 */
const VOLATILE =
  /\b(?:random|randomblob|changes|total_changes|last_insert_rowid|date|time|datetime|julianday|unixepoch|strftime|timediff|current_date|current_time|current_timestamp)\b/i;

/** Bytes a cell, row and entry are counted for: an estimate of what they hold in V8's heap. */
const CELL_BYTES = 16;
const ROW_BYTES = 32;
const ENTRY_BYTES = 256;

/** Counts since the cache was made, and what it holds now. */
export interface ResultCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

export interface ResultCache {
  /**
   * The rows of an earlier run of the same request under the same time limit, if they are still held. `request.sql`
   * is the text as the agent sent it (before the statement guard), so that a hit skips the guard too.
   */
  get(request: QueryJob, timeoutMs: number): QueryRows | undefined;
  /** Keeps `rows` (frozen: every later hit shares them) unless the request's text may answer differently next time. */
  set(request: QueryJob, timeoutMs: number, rows: QueryRows): void;
  /** Forgets every result (a database file was replaced). */
  clear(): void;
  stats(): ResultCacheStats;
}

function keyOf(job: QueryJob, timeoutMs: number): string {
  return `${job.file}\u0000${job.maxRows}\u0000${job.cellCapBytes}\u0000${job.isLegacyDoubleQuotes ? 1 : 0}\u0000${timeoutMs}\u0000${job.sql}`;
}

function sizeOf(key: string, rows: QueryRows): number {
  let bytes = ENTRY_BYTES + 2 * (key.length + rows.executedSql.length) + CELL_BYTES * rows.floatCells.length;
  for (const column of rows.columns) bytes += CELL_BYTES + 2 * column.length;
  for (const row of rows.rows) {
    bytes += ROW_BYTES;
    for (const cell of row) bytes += CELL_BYTES + (typeof cell === 'string' ? 2 * cell.length : 0);
  }
  return bytes;
}

function freeze(rows: QueryRows): QueryRows {
  for (const row of rows.rows) Object.freeze(row);
  Object.freeze(rows.rows);
  Object.freeze(rows.columns);
  Object.freeze(rows.floatCells);
  return Object.freeze(rows);
}

/**
 * Successful results of SQLite queries by (file, text, row and cell caps, double-quote mode, time limit), in an LRU
 * of at most `maxBytes`; undefined when `maxBytes` is 0. Task databases are opened read-only and agent SQL cannot
 * write, so the same text on the same file answers the same rows, unless it reads the clock or a random number
 * (VOLATILE). why: RL trainers sample many completions per question (GRPO groups), and many are the same SQL; a
 * hit skips the statement guard and the run (bench:server: main thread 180 → 157 µs a step). Failures are not
 * kept: a timeout or an outgrown budget depends on the load, and a wrong query costs little to run again.
 */
export function createResultCache(maxBytes: number): ResultCache | undefined {
  if (maxBytes <= 0) return undefined;
  // why an eighth: one huge result must not flush everything else.
  const maxEntryBytes = Math.max(1, Math.floor(maxBytes / 8));
  const results = new LRUCache<string, QueryRows>({ maxSize: maxBytes, maxEntrySize: maxEntryBytes });
  let hits = 0;
  let misses = 0;
  return {
    get(job, timeoutMs) {
      const rows = results.get(keyOf(job, timeoutMs));
      if (rows === undefined) misses += 1;
      else hits += 1;
      return rows;
    },
    set(job, timeoutMs, rows) {
      if (VOLATILE.test(job.sql)) return;
      const key = keyOf(job, timeoutMs);
      const size = sizeOf(key, rows);
      // why before freezing: a result that is not kept stays the caller's own.
      if (size <= maxEntryBytes) results.set(key, freeze(rows), { size });
    },
    clear: () => results.clear(),
    stats: () => ({ hits, misses, entries: results.size, bytes: results.calculatedSize }),
  };
}
