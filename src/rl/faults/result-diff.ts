import type { Cell } from '../../env/index.js';

function rowKey(row: readonly Cell[]): string {
  return row
    .map((cell) => JSON.stringify(cell))
    .sort()
    .join(',');
}

/**
 * Whether two results surely differ under the grader's comparison: another row count, or another multiset (a
 * list when `isOrdered`) of rows read as unordered cell bags. Column names and order are ignored, as the grader
 * ignores them, so "differs" here implies "does not match" there; a column swap reads as the same (conservative).
 */
export function isDifferentResult(gold: { rows: readonly (readonly Cell[])[] }, pred: { rows: readonly (readonly Cell[])[] }, isOrdered: boolean): boolean {
  if (gold.rows.length !== pred.rows.length) return true;
  const g = gold.rows.map(rowKey);
  const p = pred.rows.map(rowKey);
  if (!isOrdered) {
    g.sort();
    p.sort();
  }
  return g.some((key, i) => key !== p[i]);
}

/** Spider's order test, as the grader applies it: ordered iff the lower-cased gold text contains `order by`. */
export function isOrderedGold(goldSql: string): boolean {
  return goldSql.toLowerCase().includes('order by');
}
