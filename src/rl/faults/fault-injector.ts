import type { ExecOptions, ExecResult, FaultInjector, SqlEngine, TaskQuestion } from '../../env/index.js';
import { createRng } from '../rng.js';
import type { Fault, FaultKind } from './fault-kind.js';
import { FAULT_KINDS, faultKindByName } from './fault-kinds.js';
import { generateFaults } from './generate-faults.js';
import { isDifferentResult, isOrderedGold } from './result-diff.js';

/** A fault that was executed and really breaks the query: an error, or a result the grader cannot match. */
export interface ExecutedFault extends Fault {
  result: ExecResult;
  /** Rows of the gold result (undefined when gold failed). */
  goldRowCount?: number;
}

export interface FaultCheckContext {
  engine: SqlEngine;
  database: string;
  goldSql: string;
  legacyDoubleQuotes: boolean;
  /** Rows compared; a result cut at this cap is not trusted as "different". Default 10 000. */
  maxRows?: number;
  timeoutMs?: number;
}

const DEFAULT_MAX_ROWS = 10_000;

/**
 * Executes faults in order and returns those that really break the query, at most `limit`: an SQL error (not a
 * timeout or a rejection), or a complete result that surely differs from gold's (result-diff.ts).
 */
export async function executeFaults(faults: readonly Fault[], ctx: FaultCheckContext, limit = Number.POSITIVE_INFINITY): Promise<ExecutedFault[]> {
  const options: ExecOptions = { maxRows: ctx.maxRows ?? DEFAULT_MAX_ROWS, legacyDoubleQuotes: ctx.legacyDoubleQuotes, ...(ctx.timeoutMs === undefined ? {} : { timeoutMs: ctx.timeoutMs }) };
  const out: ExecutedFault[] = [];
  if (faults.length === 0) return out;
  const gold = await ctx.engine.execute(ctx.database, ctx.goldSql, options);
  const isOrdered = isOrderedGold(ctx.goldSql);
  for (const fault of faults) {
    if (out.length >= limit) break;
    const result = await ctx.engine.execute(ctx.database, fault.sql, options);
    const isBroken = result.ok
      ? gold.ok && !gold.isTruncated && !result.isTruncated && isDifferentResult(gold, result, isOrdered)
      : result.kind === 'error' && result.code !== 'WORKER_CRASHED';
    if (isBroken) out.push({ ...fault, result, ...(gold.ok ? { goldRowCount: gold.rowCount } : {}) });
  }
  return out;
}

export interface FaultInjectorOptions {
  /** Names of the fault kinds to draw from (a curriculum); default every kind. Unknown names throw. */
  kinds?: readonly string[];
  maxRows?: number;
  timeoutMs?: number;
}

/** FNV-1a of the question id mixed with the seed, so that one seed gives different faults to different questions. */
export function faultSeed(seed: number, questionId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < questionId.length; i += 1) h = Math.imul(h ^ questionId.charCodeAt(i), 0x01000193);
  return (h ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
}

/**
 * The `repair` mode's fault generator: for (question, seed) it draws the fault kinds in a seeded order, executes
 * them through the given engine and returns the first that really fails or changes the result, or undefined when
 * none does. Deterministic for a seed (given the same data).
 */
export function createFaultInjector(options: FaultInjectorOptions = {}): FaultInjector {
  const kinds: readonly FaultKind[] =
    options.kinds === undefined
      ? FAULT_KINDS
      : options.kinds.map((name) => {
          const kind = faultKindByName(name);
          if (kind === undefined) throw new RangeError(`unknown fault kind '${name}'`);
          return kind;
        });
  return {
    async corrupt(question: TaskQuestion, goldSql: string, engine: SqlEngine, seed: number) {
      const schema = await engine.schema(question.database);
      const faults = generateFaults(goldSql, schema, createRng(faultSeed(seed, question.id)), kinds);
      const ctx: FaultCheckContext = {
        engine,
        database: question.database,
        goldSql,
        legacyDoubleQuotes: question.legacyDoubleQuotes,
        ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      };
      const [found] = await executeFaults(faults, ctx, 1);
      return found === undefined ? undefined : { sql: found.sql, fault: found.kind };
    },
  };
}
