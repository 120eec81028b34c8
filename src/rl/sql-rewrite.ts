import { isKeyword, isPunct, tokenize, type Token } from './sql-tokens.js';

/** The outermost WHERE clause of a query, split into its top-level AND conjuncts. */
export interface WhereClause {
  /** Offset of the WHERE keyword. */
  start: number;
  /** Offset just after the clause's last conjunct. */
  end: number;
  conjuncts: string[];
}

const CLAUSE_ENDS = ['GROUP', 'ORDER', 'LIMIT', 'OFFSET', 'HAVING', 'UNION', 'EXCEPT', 'INTERSECT', 'WINDOW', 'FETCH'];

function clauseEnd(tokens: Token[], from: number, depth: number): number {
  let i = from;
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    if (t.depth < depth || (t.depth === depth && (isKeyword(t, ...CLAUSE_ENDS) || isPunct(t, ';')))) break;
    i += 1;
  }
  return i;
}

/** Indices of the top-level AND tokens in tokens[from, to), skipping the AND of a BETWEEN. */
function andSplits(tokens: Token[], from: number, to: number, depth: number): number[] | undefined {
  const splits: number[] = [];
  let isInBetween = false;
  for (let i = from; i < to; i += 1) {
    const t = tokens[i] as Token;
    if (t.depth !== depth) continue;
    if (isKeyword(t, 'OR')) return undefined;
    if (isKeyword(t, 'BETWEEN')) isInBetween = true;
    else if (isKeyword(t, 'AND')) {
      if (isInBetween) isInBetween = false;
      else splits.push(i);
    }
  }
  return splits;
}

/**
 * The first WHERE clause at the outermost level of `sql`, with its conjuncts. A clause with a top-level OR is
 * one conjunct (AND binds tighter). Undefined when the outer query has no WHERE.
 */
export function whereClause(sql: string): WhereClause | undefined {
  const tokens = tokenize(sql);
  const minDepth = Math.min(...tokens.map((t) => t.depth));
  const at = tokens.findIndex((t) => t.depth === minDepth && isKeyword(t, 'WHERE'));
  if (at < 0) return undefined;
  const where = tokens[at] as Token;
  const endIndex = clauseEnd(tokens, at + 1, where.depth);
  const last = tokens[endIndex - 1];
  if (endIndex <= at + 1 || last === undefined) return undefined;
  const splits = andSplits(tokens, at + 1, endIndex, where.depth) ?? [];
  const bounds = [at, ...splits, endIndex];
  const conjuncts: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k += 1) {
    const first = tokens[(bounds[k] as number) + 1] as Token;
    const lastOfPart = tokens[(bounds[k + 1] as number) - 1] as Token;
    conjuncts.push(sql.slice(first.start, lastOfPart.end));
  }
  return { start: where.start, end: last.end, conjuncts };
}

/** `sql` with its WHERE conjuncts replaced by `kept` (the WHERE removed when `kept` is empty). */
export function withConjuncts(sql: string, clause: WhereClause, kept: string[]): string {
  const where = kept.length === 0 ? '' : `WHERE ${kept.join(' AND ')}`;
  const before = sql.slice(0, clause.start).trimEnd();
  const after = sql.slice(clause.end).trimStart();
  return [before, where, after].filter((s) => s !== '').join(' ');
}

/** `sql` with every inner join (`JOIN`, `INNER JOIN`) turned into a LEFT JOIN; undefined when it has none. */
export function innerToLeftJoins(sql: string): string | undefined {
  const tokens = tokenize(sql);
  const edits: { start: number; end: number; text: string }[] = [];
  tokens.forEach((t, i) => {
    if (!isKeyword(t, 'JOIN')) return;
    const prev = tokens[i - 1];
    if (isKeyword(prev, 'INNER')) edits.push({ start: (prev as Token).start, end: t.end, text: 'LEFT JOIN' });
    else if (!isKeyword(prev, 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'OUTER')) edits.push({ start: t.start, end: t.end, text: 'LEFT JOIN' });
  });
  if (edits.length === 0) return undefined;
  let out = sql;
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
