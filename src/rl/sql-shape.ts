import { LRUCache } from 'lru-cache';
import { isKeyword, isName, isPunct, tokenize, type Token } from './sql-tokens.js';

/** A `column op literal` comparison found in a query (the raw material of the PROBE_VALUES probe). */
export interface LiteralComparison {
  column: string;
  qualifier?: string;
  /** The operator as written, upper-cased for keywords (`=`, `LIKE`, `IN`, `BETWEEN`…). */
  op: string;
  literal: string;
  isNumber: boolean;
}

/** Cheap lexical counts of a query (repair-policy.md §3.5 query-shape features). No parsing, never throws. */
export interface SqlShape {
  joins: number;
  subqueries: number;
  hasGroupBy: boolean;
  hasHaving: boolean;
  aggregates: number;
  hasOrderBy: boolean;
  hasLimit: boolean;
  hasDistinct: boolean;
  setOperations: number;
  predicates: number;
  literals: number;
  /** Table names after FROM/JOIN, unquoted, in first-seen order, without duplicates (case-insensitive). */
  tables: string[];
  /** Lower-cased alias → table name as written ('' for a derived table). */
  aliases: Record<string, string>;
  literalComparisons: LiteralComparison[];
}

const AGGREGATES = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'GROUP_CONCAT', 'STRING_AGG', 'ARRAY_AGG', 'TOTAL']);
const COMPARISONS = new Set(['=', '==', '<>', '!=', '<', '>', '<=', '>=']);
const PREDICATE_WORDS = ['LIKE', 'ILIKE', 'GLOB', 'IN', 'BETWEEN', 'IS', 'EXISTS'];
/** Words that end a FROM item, so they are never read as an alias. */
const CLAUSE_WORDS = new Set([
  'WHERE', 'JOIN', 'ON', 'USING', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'OUTER', 'GROUP', 'ORDER',
  'LIMIT', 'OFFSET', 'HAVING', 'UNION', 'EXCEPT', 'INTERSECT', 'WINDOW', 'SELECT', 'AS', 'FROM', 'VALUES', 'SET',
  'FETCH', 'FOR', 'WITH', 'RETURNING', 'AND', 'OR', 'NOT',
]);

/** Reads a FROM item at `at`: `[schema.]table [AS] alias` or `( … ) [AS] alias`. Returns the index after it. */
function readFromItem(tokens: Token[], at: number, shape: SqlShape): number {
  let i = at;
  let table = '';
  if (isPunct(tokens[i], '(')) {
    const depth = (tokens[i] as Token).depth;
    i += 1;
    while (i < tokens.length && !(isPunct(tokens[i], ')') && (tokens[i] as Token).depth === depth)) i += 1;
    i += 1;
  } else if (isName(tokens[i]) && !CLAUSE_WORDS.has((tokens[i] as Token).value.toUpperCase())) {
    while (isPunct(tokens[i + 1], '.') && isName(tokens[i + 2])) i += 2;
    table = (tokens[i] as Token).value;
    if (!shape.tables.some((t) => t.toLowerCase() === table.toLowerCase())) shape.tables.push(table);
    i += 1;
  } else return i;
  if (isKeyword(tokens[i], 'AS')) i += 1;
  const alias = tokens[i];
  if (isName(alias) && !(alias?.kind === 'word' && CLAUSE_WORDS.has(alias.value.toUpperCase()))) {
    shape.aliases[(alias as Token).value.toLowerCase()] = table;
    i += 1;
  }
  return i;
}

const FROM_ENDS = new Set(['WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'UNION', 'EXCEPT', 'INTERSECT', 'WINDOW', 'SELECT']);

/** Tracks, per parenthesis depth, whether a FROM clause is open there (so `,` starts another FROM item). */
function trackFrom(tokens: Token[], i: number, openFrom: Set<number>, shape: SqlShape): void {
  const t = tokens[i] as Token;
  if (isKeyword(t, 'FROM')) openFrom.add(t.depth);
  else if (t.kind === 'word' && FROM_ENDS.has(t.value.toUpperCase())) openFrom.delete(t.depth);
  else if (isPunct(t, ',') && openFrom.has(t.depth)) {
    shape.joins += 1;
    readFromItem(tokens, i + 1, shape);
  }
}

function countToken(tokens: Token[], i: number, shape: SqlShape): void {
  const t = tokens[i] as Token;
  const next = tokens[i + 1];
  if (t.kind === 'punct') {
    if (COMPARISONS.has(t.value)) shape.predicates += 1;
    if (t.value === '(' && isKeyword(next, 'SELECT', 'WITH')) shape.subqueries += 1;
    return;
  }
  if (t.kind === 'string') shape.literals += 1;
  if (t.kind === 'number' && !isKeyword(tokens[i - 1], 'LIMIT', 'OFFSET')) shape.literals += 1;
  if (t.kind !== 'word') return;
  const word = t.value.toUpperCase();
  if (word === 'JOIN') shape.joins += 1;
  if (word === 'FROM' || word === 'JOIN') readFromItem(tokens, i + 1, shape);
  if (word === 'GROUP' && isKeyword(next, 'BY')) shape.hasGroupBy = true;
  if (word === 'ORDER' && isKeyword(next, 'BY')) shape.hasOrderBy = true;
  if (word === 'HAVING') shape.hasHaving = true;
  if (word === 'LIMIT' || word === 'FETCH') shape.hasLimit = true;
  if (word === 'DISTINCT') shape.hasDistinct = true;
  if (word === 'UNION' || word === 'EXCEPT' || word === 'INTERSECT') shape.setOperations += 1;
  if (AGGREGATES.has(word) && isPunct(next, '(')) shape.aggregates += 1;
  if (PREDICATE_WORDS.includes(word)) shape.predicates += 1;
}

interface ColumnRef {
  name: string;
  qualifier?: string;
}

/** The column reference ending at index `end` (inclusive): `col`, `q.col` or `f(col)`. */
function columnEndingAt(tokens: Token[], end: number): ColumnRef | undefined {
  let i = end;
  if (isPunct(tokens[i], ')') && isName(tokens[i - 1])) {
    if (!isPunct(tokens[i - 2], '(') && !isPunct(tokens[i - 2], '.')) return undefined;
    i -= 1;
  }
  const t = tokens[i];
  if (!isName(t) || (t?.kind === 'word' && CLAUSE_WORDS.has(t.value.toUpperCase()))) return undefined;
  const qualifier = isPunct(tokens[i - 1], '.') && isName(tokens[i - 2]) ? (tokens[i - 2] as Token).value : undefined;
  return qualifier === undefined ? { name: (t as Token).value } : { name: (t as Token).value, qualifier };
}

function literalAt(tokens: Token[], at: number): { value: string; isNumber: boolean; next: number } | undefined {
  const t = tokens[at];
  if (t?.kind === 'string') return { value: t.value, isNumber: false, next: at + 1 };
  if (t?.kind === 'number') return { value: t.value, isNumber: true, next: at + 1 };
  const n = tokens[at + 1];
  if (isPunct(t, '-') && n?.kind === 'number') return { value: `-${n.value}`, isNumber: true, next: at + 2 };
  return undefined;
}

function literalBefore(tokens: Token[], end: number): { value: string; isNumber: boolean } | undefined {
  const t = tokens[end];
  if (t?.kind === 'string') return { value: t.value, isNumber: false };
  if (t?.kind !== 'number') return undefined;
  return isPunct(tokens[end - 1], '-') ? { value: `-${t.value}`, isNumber: true } : { value: t.value, isNumber: true };
}

/** The column reference starting at `at` (`col` or `q.col`), not a function call. */
function columnStartingAt(tokens: Token[], at: number): ColumnRef | undefined {
  const t = tokens[at];
  if (!isName(t) || (t?.kind === 'word' && CLAUSE_WORDS.has(t.value.toUpperCase()))) return undefined;
  if (isPunct(tokens[at + 1], '.') && isName(tokens[at + 2])) return { name: (tokens[at + 2] as Token).value, qualifier: (t as Token).value };
  return isPunct(tokens[at + 1], '(') ? undefined : { name: (t as Token).value };
}

function push(out: LiteralComparison[], column: ColumnRef, op: string, lit: { value: string; isNumber: boolean }): void {
  out.push({ column: column.name, ...(column.qualifier === undefined ? {} : { qualifier: column.qualifier }), op, literal: lit.value, isNumber: lit.isNumber });
}

function comparisonsAt(tokens: Token[], i: number, out: LiteralComparison[]): void {
  const t = tokens[i] as Token;
  const word = t.kind === 'word' ? t.value.toUpperCase() : '';
  const op = t.kind === 'punct' && COMPARISONS.has(t.value) ? t.value : ['LIKE', 'ILIKE', 'GLOB'].includes(word) ? word : undefined;
  const before = isKeyword(tokens[i - 1], 'NOT') ? i - 2 : i - 1;
  if (op !== undefined) {
    const column = columnEndingAt(tokens, before);
    const lit = literalAt(tokens, i + 1);
    if (column !== undefined && lit !== undefined) return push(out, column, op, lit);
    const revLit = t.kind === 'punct' ? literalBefore(tokens, i - 1) : undefined;
    const revColumn = revLit === undefined ? undefined : columnStartingAt(tokens, i + 1);
    if (revLit !== undefined && revColumn !== undefined) push(out, revColumn, op, revLit);
    return;
  }
  const column = columnEndingAt(tokens, before);
  if (column === undefined) return;
  if (word === 'IN' && isPunct(tokens[i + 1], '(')) {
    for (let j = i + 2; ; ) {
      const lit = literalAt(tokens, j);
      if (lit === undefined) return;
      push(out, column, 'IN', lit);
      if (!isPunct(tokens[lit.next], ',')) return;
      j = lit.next + 1;
    }
  }
  if (word === 'BETWEEN') {
    const low = literalAt(tokens, i + 1);
    const high = low !== undefined && isKeyword(tokens[low.next], 'AND') ? literalAt(tokens, low.next + 1) : undefined;
    if (low !== undefined) push(out, column, 'BETWEEN', low);
    if (high !== undefined) push(out, column, 'BETWEEN', high);
  }
}

const recentShapes = new LRUCache<string, Readonly<SqlShape>>({ max: 256 });

/**
 * Lexical shape of `sql` (counts, referenced tables, aliases, literal comparisons). One step analyses the same SQL
 * for its features, arm masks, probes and error class, so recent shapes are remembered; the result is shared and
 * frozen.
 */
export function analyzeSql(sql: string): Readonly<SqlShape> {
  let shape = recentShapes.get(sql);
  if (shape === undefined) {
    shape = deepFreeze(computeShape(sql));
    recentShapes.set(sql, shape);
  }
  return shape;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  return Object.freeze(value);
}

function computeShape(sql: string): SqlShape {
  const tokens = tokenize(sql);
  const shape: SqlShape = {
    joins: 0, subqueries: 0, hasGroupBy: false, hasHaving: false, aggregates: 0, hasOrderBy: false, hasLimit: false,
    hasDistinct: false, setOperations: 0, predicates: 0, literals: 0, tables: [], aliases: {}, literalComparisons: [],
  };
  const openFrom = new Set<number>();
  for (let i = 0; i < tokens.length; i += 1) {
    countToken(tokens, i, shape);
    trackFrom(tokens, i, openFrom, shape);
    comparisonsAt(tokens, i, shape.literalComparisons);
  }
  return shape;
}
