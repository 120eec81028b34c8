import type { Cell, ExecSuccess } from '../db/engine.js';
import { hasColumnPermutation, type KeyMatrix } from './column-permutation.js';
import { pythonSortKey } from './python-cells.js';

/** `spider`: test-suite parity; `bird`: set equality, column order significant; `strict`: spider rules, DISTINCT kept. */
export type GradeMode = 'spider' | 'bird' | 'strict';

/** What the comparison needs from an execution result. */
export type ResultTable = Pick<ExecSuccess, 'columns' | 'rows' | 'floatCells'>;

/**
 * Python-equality key of a cell: `1` and `1.0` share one (JS numbers carry no int/float tag), `'1'` and `1`
 * differ, `null` equals only `null`. Each key is a JSON token, so keys joined with ',' make unambiguous row keys.
 */
function cellKey(cell: Cell): string {
  return JSON.stringify(cell);
}

function counts(keys: Iterable<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function sameSet(a: Iterable<string>, b: Iterable<string>): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size !== sb.size) return false;
  for (const k of sa) if (!sb.has(k)) return false;
  return true;
}

/** Spider's `unorder_row`: the row's values sorted by Python's `str(v) + str(type(v))`, as an equality key. */
function unorderedRowKeys(table: ResultTable, keys: KeyMatrix): string[] {
  const width = table.columns.length;
  if (width === 1) return keys.map((row) => row[0] ?? '');
  const floats = new Set(table.floatCells);
  return table.rows.map((row, r) => {
    const keyed = row.map((cell, c) => ({ key: keys[r]?.[c] ?? '', sortKey: pythonSortKey(cell, floats.has(r * width + c)) }));
    keyed.sort((a, b) => compareCodePoints(a.sortKey, b.sortKey));
    return keyed.map((k) => k.key).join(',');
  });
}

function keyMatrix(table: ResultTable): string[][] {
  return table.rows.map((row) => row.map(cellKey));
}

/** Python's str ordering (by code point); JS `<` orders by UTF-16 unit, which differs above U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** Spider's `quick_rej` (true = may still match): lists (ordered) or sets (bag) of unordered rows must agree. */
function passesQuickReject(gold: ResultTable, goldKeys: KeyMatrix, pred: ResultTable, predKeys: KeyMatrix, isOrdered: boolean): boolean {
  const g = unorderedRowKeys(gold, goldKeys);
  const p = unorderedRowKeys(pred, predKeys);
  return isOrdered ? g.every((k, i) => k === p[i]) : sameSet(g, p);
}

/**
 * Spider's `result_eq(gold, pred, order_matters)`, verdict for verdict: empty = empty, row counts and first-row
 * widths must agree, the type-sensitive quick reject, then a search over column permutations (ordered: the lists
 * are equal; bag: the multisets are equal). No float tolerance; column names are never compared.
 */
export function spiderResultEq(gold: ResultTable, pred: ResultTable, isOrdered: boolean): boolean {
  if (gold.rows.length === 0 && pred.rows.length === 0) return true;
  if (gold.rows.length !== pred.rows.length) return false;
  const width = gold.rows[0]?.length ?? 0;
  if ((pred.rows[0]?.length ?? 0) !== width) return false;
  const goldKeys = keyMatrix(gold);
  const predKeys = keyMatrix(pred);
  if (!passesQuickReject(gold, goldKeys, pred, predKeys, isOrdered)) return false;
  return hasColumnPermutation(goldKeys, predKeys, isOrdered);
}

/** BIRD's EX: `set(pred_rows) == set(gold_rows)`; duplicates and row order ignored, column order significant. */
export function birdResultEq(gold: ResultTable, pred: ResultTable): boolean {
  return sameSet(
    gold.rows.map((row) => JSON.stringify(row)),
    pred.rows.map((row) => JSON.stringify(row)),
  );
}

/** The verdict of `mode` on two complete results; `isOrdered` comes from the gold text (ignored by bird). */
export function resultsMatch(gold: ResultTable, pred: ResultTable, mode: GradeMode, isOrdered: boolean): boolean {
  return mode === 'bird' ? birdResultEq(gold, pred) : spiderResultEq(gold, pred, isOrdered);
}

/** F1 over the two results' cell multisets (1 when both are empty): a partial-credit similarity in [0, 1]. */
export function cellF1(gold: ResultTable, pred: ResultTable): number {
  const g = counts(gold.rows.flatMap((row) => row.map(cellKey)));
  const p = counts(pred.rows.flatMap((row) => row.map(cellKey)));
  let goldTotal = 0;
  let predTotal = 0;
  let common = 0;
  for (const n of g.values()) goldTotal += n;
  for (const [k, n] of p) {
    predTotal += n;
    common += Math.min(n, g.get(k) ?? 0);
  }
  if (goldTotal === 0 && predTotal === 0) return 1;
  if (common === 0) return 0;
  return (2 * common) / (goldTotal + predTotal);
}
