import { LRUCache } from 'lru-cache';
import type { ScoreConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ExecOptions, ExecResult, ExecSuccess, SqlEngine, SqlFailure } from '../db/engine.js';
import { cellF1, resultsMatch, type GradeMode } from './compare.js';
import { isOrderSensitive, postprocessSql, removeDistinct, spiderExecutableSql } from './sql-text.js';

export interface GraderDeps {
  engine: SqlEngine;
  log: Logger;
  score: ScoreConfig;
  /** Row cap for grading executions: the grader compares complete results, not what an agent is shown. */
  gradeMaxRows: number;
  timeoutMs: number;
  /** Gold results kept (LRU). */
  goldCacheSize?: number;
}

export interface GradeRequest {
  database: string;
  goldSql: string;
  /** Execute both queries as Python's sqlite3 would (Spider data); see ExecOptions.legacyDoubleQuotes. */
  legacyDoubleQuotes: boolean;
  /** Default `strict`. */
  mode?: GradeMode;
  /** SQL to execute, or a result the caller already has (re-executed only when it cannot be compared as is). */
  prediction: string | ExecResult;
}

export interface GradeComponents {
  executes: 0 | 1;
  match: 0 | 1;
  /** F1 over the cell multisets of the two results, in [0, 1]; 0 when either query failed. */
  partial: number;
  columnCountMatch: boolean;
  /** min(rows) / max(rows), 1 when both are empty, 0 when either query failed. */
  rowCountRatio: number;
}

export interface Grade {
  mode: GradeMode;
  isMatch: boolean;
  /** `raw` clamped into [score.min, score.max]. */
  score: number;
  /** score >= score.successThreshold. */
  isSuccess: boolean;
  /** 1 for a match, else 0.1 + 0.5 * partial when the prediction executes, else 0 (also 0 when the gold fails). */
  raw: number;
  components: GradeComponents;
  goldFailure?: SqlFailure;
  predFailure?: SqlFailure;
  predResult?: ExecSuccess;
}

export interface Grader {
  grade(request: GradeRequest): Promise<Grade>;
  /** Gold results currently cached. */
  cachedGoldCount(): number;
}

const DEFAULT_GOLD_CACHE_SIZE = 512;
// why: grading compares whole cells; the agent-facing CELL_CAP_BYTES would make long texts compare by prefix.
const GRADE_CELL_CAP_BYTES = 16 * 1024 * 1024;

/** The text a mode executes: spider applies postprocess, DISTINCT stripping and the YEAR(CURDATE()) rewrite. */
function executableSql(sql: string, mode: GradeMode): string {
  return mode === 'spider' ? spiderExecutableSql(sql) : sql;
}

function isOrderedFor(goldSql: string, mode: GradeMode): boolean {
  return isOrderSensitive(mode === 'spider' ? removeDistinct(postprocessSql(goldSql)) : goldSql);
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

interface Comparison {
  goldRows: ExecSuccess['rows'];
  mode: GradeMode;
  isOrdered: boolean;
  isMatch: boolean;
  components: GradeComponents;
}

/**
 * The last comparison of each prediction's rows, by the identity of the rows array. why: results the SQLite engine
 * answers from its result cache share their (frozen) rows, so a prediction repeated against the same gold, as RL
 * trainers' sampled completions often are, is compared once. Rows compared are never changed, and a fresh run
 * brings new arrays, so the identity of both arrays, the mode and the order rule decide the comparison.
 */
const comparisons = new WeakMap<ExecSuccess['rows'], Comparison>();

function compare(gold: ExecSuccess, pred: ExecSuccess, mode: GradeMode, isOrdered: boolean): Comparison {
  const known = comparisons.get(pred.rows);
  if (known !== undefined && known.goldRows === gold.rows && known.mode === mode && known.isOrdered === isOrdered) return known;
  // why: a prediction cut at gradeMaxRows has more rows than an uncut gold, whatever its first rows say.
  const isMatch = gold.isTruncated === pred.isTruncated && resultsMatch(gold, pred, mode, isOrdered);
  const comparison = { goldRows: gold.rows, mode, isOrdered, isMatch, components: Object.freeze(compareComponents(gold, pred, isMatch)) };
  comparisons.set(pred.rows, comparison);
  return comparison;
}

function compareComponents(gold: ExecSuccess, pred: ExecSuccess, isMatch: boolean): GradeComponents {
  const most = Math.max(gold.rows.length, pred.rows.length);
  return {
    executes: 1,
    match: isMatch ? 1 : 0,
    partial: cellF1(gold, pred),
    columnCountMatch: gold.columns.length === pred.columns.length,
    rowCountRatio: most === 0 ? 1 : Math.min(gold.rows.length, pred.rows.length) / most,
  };
}

function failedComponents(pred: ExecResult): GradeComponents {
  return { executes: pred.ok ? 1 : 0, match: 0, partial: 0, columnCountMatch: false, rowCountRatio: 0 };
}

function rawScore(c: GradeComponents, gold: ExecResult): number {
  if (!gold.ok) return 0;
  if (c.match === 1) return 1;
  return c.executes === 1 ? 0.1 + 0.5 * c.partial : 0;
}

/**
 * Creates the grader: executes (or reuses) the prediction, compares it with the gold result under `mode`
 * (grading.md §0–§2) and scores it. Gold results are executed once per (dialect, database, executed gold SQL,
 * legacy flag) and kept in a bounded LRU; timeouts are not cached. Throws only the engine's AppErrors
 * (e.g. UnknownDatabaseError); a failing query is part of the Grade.
 */
export function createGrader(deps: GraderDeps): Grader {
  const log = deps.log;
  const goldCache = new LRUCache<string, Promise<ExecResult>>({ max: deps.goldCacheSize ?? DEFAULT_GOLD_CACHE_SIZE });

  const run = (database: string, sql: string, legacyDoubleQuotes: boolean): Promise<ExecResult> => {
    const options: ExecOptions = {
      maxRows: deps.gradeMaxRows,
      timeoutMs: deps.timeoutMs,
      cellCapBytes: GRADE_CELL_CAP_BYTES,
      legacyDoubleQuotes,
    };
    return deps.engine.execute(database, sql, options);
  };

  function goldResult(database: string, sql: string, legacyDoubleQuotes: boolean): Promise<ExecResult> {
    const key = [deps.engine.dialect, database, legacyDoubleQuotes ? 'dq' : '', sql].join('\u0000');
    const cached = goldCache.get(key);
    if (cached !== undefined) return cached;
    // why peek: forget this run only, not a newer one cached under the same key after this one was evicted.
    const forget = () => {
      if (goldCache.peek(key) === pending) goldCache.delete(key);
    };
    const pending: Promise<ExecResult> = run(database, sql, legacyDoubleQuotes).then(
      (result) => {
        if (!result.ok && result.kind === 'timeout') forget();
        return result;
      },
      (err: unknown) => {
        forget();
        throw err;
      },
    );
    goldCache.set(key, pending);
    return pending;
  }

  /** A given ExecResult is reused unless it was cut by a cap or (spider) stripping changes its SQL. */
  async function predResult(request: GradeRequest, mode: GradeMode): Promise<ExecResult> {
    const { prediction, database, legacyDoubleQuotes } = request;
    if (typeof prediction === 'string') return run(database, executableSql(prediction, mode), legacyDoubleQuotes);
    if (!prediction.ok) return prediction;
    const sql = executableSql(prediction.executedSql, mode);
    const isReusable = !prediction.isTruncated && !prediction.hasTruncatedCells && sql === prediction.executedSql;
    return isReusable ? prediction : run(database, sql, legacyDoubleQuotes);
  }

  async function grade(request: GradeRequest): Promise<Grade> {
    const mode = request.mode ?? 'strict';
    const goldSql = executableSql(request.goldSql, mode);
    const [gold, pred] = await Promise.all([
      goldResult(request.database, goldSql, request.legacyDoubleQuotes),
      predResult(request, mode),
    ]);
    if (!gold.ok) log.warn({ database: request.database, code: gold.code, message: gold.message }, 'gold query failed');
    else if (gold.isTruncated) log.warn({ database: request.database, maxRows: deps.gradeMaxRows }, 'gold result truncated');
    const comparison = gold.ok && pred.ok ? compare(gold, pred, mode, isOrderedFor(request.goldSql, mode)) : undefined;
    const isMatch = comparison?.isMatch ?? false;
    const components = comparison?.components ?? failedComponents(pred);
    const raw = rawScore(components, gold);
    const score = clamp(raw, deps.score.min, deps.score.max);
    log.debug({ database: request.database, mode, isMatch, raw }, 'graded');
    return {
      mode,
      isMatch,
      score,
      isSuccess: score >= deps.score.successThreshold,
      raw,
      components,
      goldFailure: gold.ok ? undefined : gold,
      predFailure: pred.ok ? undefined : pred,
      predResult: pred.ok ? pred : undefined,
    };
  }

  return { grade, cachedGoldCount: () => goldCache.size };
}
