import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../../logger.js';
import { createQueryRunner, type QueryJob, type QueryReply } from './sqlite-query.js';

/** build/sqlite-deadline.so, compiled from native/sqlite-deadline.c by npm install (build-sqlite-deadline.mjs). */
export const DEADLINE_EXTENSION = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'build', 'sqlite-deadline.so');

/** The code of the failure a runner answers when the extension cannot be loaded into a handle. */
const SETUP_FAILED = 'INLINE_SETUP_FAILED';
/**
 * Failures that say the query outgrew the inline budget or limits, not that it is wrong: it runs again on a worker.
 * "pattern too complex" is SQLite's message for a LIKE/GLOB pattern over the extension's lowered limit.
 */
const OUTGREW = new Set(['SQLITE_INTERRUPT', 'SQLITE_TOOBIG', 'SQLITE_NOMEM', 'RESULT_TOO_LARGE']);

function hasOutgrown(reply: QueryReply): boolean {
  return !reply.ok && (OUTGREW.has(reply.code) || reply.message.includes('pattern too complex'));
}

/**
 * The share of the calling thread's time that queries which outgrow the budget may take: each costs up to two budgets
 * before a worker runs it again, and an agent sending only such queries must not take the thread from everyone else.
 */
const WASTE_SHARE = 0.05;
/** Page cache of each handle on the calling thread, in KiB (SQLite's default in better-sqlite3: 16,000). */
const INLINE_CACHE_KIB = 2048;
/**
 * A query text that outgrew the budget SLOW_AFTER times in a row, with no answer here in between, goes to a worker at
 * once for REMEMBER_SLOW_MS. why in a row: a GC pause of this thread's own, or a burst of time stolen from this VM,
 * counts as the query's CPU time; that happens to a quick query now and then, but not twice running, and a worker's
 * own clocks are no better witness (the same bursts hit them).
 */
const REMEMBERED_SLOW = 1024;
const REMEMBER_SLOW_MS = 60_000;
const SLOW_AFTER = 2;

/** Counts since the runner started. */
export interface InlineStats {
  /** Answered on the calling thread. */
  answered: number;
  /** Run, then handed back: past the budget or a lowered limit. */
  outgrown: number;
  /** Handed back without running: remembered as slow, or the waste bucket was empty. */
  passed: number;
}

export interface InlineRunner {
  /** The reply of a query that finished within the budget, or undefined when a worker must run it. */
  tryRun(job: QueryJob): QueryReply | undefined;
  stats(): InlineStats;
  close(): void;
}

export interface InlineOptions {
  budgetMs: number;
  extensionPath?: string;
}

/**
 * Runs SQLite queries on the calling (main) thread under a hard time budget, sparing the worker round trip, which
 * costs more than a typical query: the sqlite-deadline extension interrupts a statement after one to two
 * `budgetMs` of CPU time and caps what one step may allocate, and such a query is handed back for the worker pool
 * to run with the full time limit. One that outgrew it twice in a row goes to the pool at once for a minute; all of
 * them together may take at most WASTE_SHARE of the thread's time (a token bucket), past which every query goes to
 * the pool until it refills. Undefined (every query on the workers) when the budget is 0 or the extension is not
 * built.
 */
export function createInlineRunner(options: InlineOptions, log: Logger): InlineRunner | undefined {
  const extensionPath = options.extensionPath ?? DEADLINE_EXTENSION;
  if (options.budgetMs <= 0) return undefined;
  if (!fs.existsSync(extensionPath)) {
    log.info({ extension: extensionPath }, 'SQLite inline execution is off: the sqlite-deadline extension is not built (npm run build:native needs a C compiler); every query runs on a worker');
    return undefined;
  }
  const budgetUs = Math.max(1, Math.round(options.budgetMs * 1000));
  const capacityMs = 20 * options.budgetMs;
  let tokensMs = capacityMs;
  let refilledAtMs = performance.now();
  let isOff = false;
  /** Times in a row each recently outgrown query text outgrew the budget. */
  const outgrownInARow = new LRUCache<string, number>({ max: REMEMBERED_SLOW, ttl: REMEMBER_SLOW_MS });
  const counts: InlineStats = { answered: 0, outgrown: 0, passed: 0 };
  const runner = createQueryRunner(32, 64, {
    limitsHeap: false,
    onOpen(db: Database.Database) {
      // why: a handle here serves quick queries only, and up to 32 of them share the server's heap.
      db.pragma(`cache_size = -${INLINE_CACHE_KIB}`);
      try {
        db.loadExtension(extensionPath);
        const set = db.prepare('SELECT sqlrepair_deadline_budget(?)').pluck().get(budgetUs);
        if (set !== budgetUs) throw new Error(`it took a budget of ${String(set)} µs instead of ${budgetUs}`);
      } catch (err) {
        throw Object.assign(new Error(`sqlite-deadline: ${err instanceof Error ? err.message : String(err)}`), { code: SETUP_FAILED });
      }
    },
  });

  function hasTokens(nowMs: number): boolean {
    tokensMs = Math.min(capacityMs, tokensMs + (nowMs - refilledAtMs) * WASTE_SHARE);
    refilledAtMs = nowMs;
    return tokensMs >= options.budgetMs;
  }

  return {
    tryRun(job) {
      if (isOff) return undefined;
      const key = `${job.file}\0${job.sql}`;
      const startedMs = performance.now();
      const timesInARow = outgrownInARow.size === 0 ? 0 : (outgrownInARow.get(key) ?? 0);
      if (timesInARow >= SLOW_AFTER || !hasTokens(startedMs)) {
        counts.passed += 1;
        return undefined;
      }
      const reply = runner.run(job);
      if (!reply.ok && reply.code === SETUP_FAILED) {
        isOff = true;
        log.warn({ why: reply.message, extension: extensionPath }, 'SQLite inline execution is off: the extension failed to load; every query runs on a worker');
        return undefined;
      }
      if (!hasOutgrown(reply)) {
        counts.answered += 1;
        if (timesInARow > 0) outgrownInARow.delete(key);
        return reply;
      }
      counts.outgrown += 1;
      outgrownInARow.set(key, timesInARow + 1);
      // why capped: the extension stops a statement after two budgets of CPU at most; wall time past that was this
      // thread waiting for a core or collecting garbage, not the query's doing.
      tokensMs -= Math.min(performance.now() - startedMs, 2 * options.budgetMs);
      return undefined;
    },
    stats: () => ({ ...counts }),
    close() {
      isOff = true;
      runner.close();
    },
  };
}
