import type { DbSchema } from '../../env/index.js';
import type { Rng } from '../rng.js';
import { isKeyword, isPunct, type Token } from '../sql-tokens.js';

/** Text-level helpers the fault kinds share: splicing, seeded picks, misspellings, clause bounds. */

export function splice(sql: string, start: number, end: number, text: string): string {
  return sql.slice(0, start) + text + sql.slice(end);
}

/** Removes [start, end) and joins what is left with one space. */
export function cut(sql: string, start: number, end: number): string {
  const before = sql.slice(0, start).trimEnd();
  const after = sql.slice(end).trimStart();
  return before === '' || after === '' ? before + after : `${before} ${after}`;
}

export function pick<T>(items: readonly T[], rng: Rng): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rng.next() * items.length)];
}

/** A Fisher–Yates shuffle driven by `rng`. */
export function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Lower-cased table and column names of a schema. */
export interface SchemaNames {
  tables: Set<string>;
  columns: Set<string>;
  /** Lower-cased table name → its lower-cased column names. */
  columnsOf: Map<string, Set<string>>;
}

export function schemaNames(schema: DbSchema): SchemaNames {
  const columnsOf = new Map(schema.tables.map((t) => [t.name.toLowerCase(), new Set(t.columns.map((c) => c.name.toLowerCase()))]));
  return {
    tables: new Set(columnsOf.keys()),
    columns: new Set([...columnsOf.values()].flatMap((cols) => [...cols])),
    columnsOf,
  };
}

const RESERVED = new Set(['AS', 'BY', 'IN', 'IS', 'ON', 'OR', 'TO', 'AND', 'ASC', 'END', 'FOR', 'NOT', 'SET', 'DESC', 'FROM', 'JOIN', 'LIKE', 'NULL', 'THEN', 'WHEN', 'WITH', 'CASE', 'ELSE', 'LEFT', 'LIMIT', 'ORDER', 'GROUP', 'UNION', 'WHERE', 'SELECT', 'HAVING', 'EXCEPT', 'OFFSET', 'VALUES', 'DISTINCT', 'INTERSECT']);

type Edit = (word: string, rng: Rng) => string | undefined;

const inner = (word: string, rng: Rng, fromEnd: number): number => 1 + Math.floor(rng.next() * Math.max(1, word.length - 1 - fromEnd));

/** Typos a fast typist makes: a dropped letter, two letters swapped, a letter doubled (never the first letter). */
const EDITS: readonly Edit[] = [
  (w, rng) => (w.length < 4 ? undefined : dropAt(w, inner(w, rng, 0))),
  (w, rng) => {
    if (w.length < 3) return undefined;
    const i = inner(w, rng, 1);
    return w[i] === w[i + 1] ? undefined : w.slice(0, i) + (w[i + 1] ?? '') + (w[i] ?? '') + w.slice(i + 2);
  },
  (w, rng) => {
    const i = inner(w, rng, 0);
    return /[A-Za-z]/.test(w[i] ?? '') ? w.slice(0, i + 1) + w.slice(i) : undefined;
  },
];

function dropAt(word: string, i: number): string {
  return word.slice(0, i) + word.slice(i + 1);
}

/**
 * A misspelling of `word` that is not a name in `taken` (lower-cased), not a keyword and not `word` itself
 * (case-insensitively); undefined when a few tries find none.
 */
export function misspell(word: string, rng: Rng, taken: ReadonlySet<string>): string | undefined {
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const edit = EDITS[Math.floor(rng.next() * EDITS.length)] as Edit;
    const out = edit(word, rng);
    if (out === undefined || out.length < 2 || /^\d/.test(out)) continue;
    const lower = out.toLowerCase();
    if (lower !== word.toLowerCase() && !taken.has(lower) && !RESERVED.has(out.toUpperCase())) return out;
  }
  return undefined;
}

/** The smallest parenthesis depth of any token (the outer query's). */
export function outerDepth(tokens: readonly Token[]): number {
  return tokens.reduce((min, t) => Math.min(min, t.depth), Number.POSITIVE_INFINITY);
}

export const SET_OPERATORS = ['UNION', 'INTERSECT', 'EXCEPT'];

/**
 * Index of the first token at or after `from` that ends a clause started at `depth`: one of `enders` at that
 * depth, a `;`, or a token that leaves the depth (the closing parenthesis). tokens.length when none.
 */
export function clauseEnd(tokens: readonly Token[], from: number, depth: number, enders: readonly string[]): number {
  for (let i = from; i < tokens.length; i += 1) {
    const t = tokens[i] as Token;
    if (t.depth < depth || (t.depth === depth && (isKeyword(t, ...enders) || isPunct(t, ';')))) return i;
  }
  return tokens.length;
}

/** Offset where token `index` starts, or the text's end for tokens.length. */
export function offsetOf(tokens: readonly Token[], index: number, sql: string): number {
  return tokens[index]?.start ?? sql.length;
}

/** Indices of the keyword pair `first second` (e.g. GROUP BY) at `depth`. */
export function keywordPairs(tokens: readonly Token[], first: string, second: string, depth: number): number[] {
  const out: number[] = [];
  tokens.forEach((t, i) => {
    if (t.depth === depth && isKeyword(t, first) && isKeyword(tokens[i + 1], second)) out.push(i);
  });
  return out;
}
