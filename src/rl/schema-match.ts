import { distance } from 'fastest-levenshtein';
import type { DbSchema, Dialect, TableInfo } from '../env/index.js';

/** A schema name (or built-in function) proposed for an offending token, with a similarity in [0,1]. */
export interface Candidate {
  name: string;
  score: number;
}

export const MAX_CANDIDATES = 3;

/** A score a server-named candidate (PostgreSQL HINT) gets: it is known to exist and to fit. */
export const HINT_SCORE = 1;

const FUNCTIONS: Record<Dialect, readonly string[]> = {
  sqlite: [
    'abs', 'avg', 'char', 'coalesce', 'concat', 'concat_ws', 'count', 'date', 'datetime', 'dense_rank', 'format',
    'glob', 'group_concat', 'hex', 'iif', 'ifnull', 'instr', 'julianday', 'lag', 'lead', 'length', 'like', 'lower',
    'ltrim', 'max', 'min', 'nullif', 'printf', 'random', 'rank', 'replace', 'round', 'row_number', 'rtrim',
    'strftime', 'string_agg', 'substr', 'substring', 'sum', 'time', 'total', 'trim', 'typeof', 'unixepoch', 'upper',
  ],
  postgres: [
    'abs', 'age', 'array_agg', 'avg', 'ceil', 'char_length', 'coalesce', 'concat', 'concat_ws', 'count',
    'current_date', 'date_part', 'date_trunc', 'dense_rank', 'extract', 'floor', 'greatest', 'lag', 'lead', 'least',
    'left', 'length', 'lower', 'ltrim', 'make_date', 'max', 'min', 'now', 'nullif', 'position', 'rank', 'replace',
    'right', 'round', 'row_number', 'rtrim', 'split_part', 'string_agg', 'strpos', 'substr', 'substring', 'sum',
    'to_char', 'to_date', 'to_timestamp', 'trim', 'upper',
  ],
};

/** Case-insensitive similarity 1 − levenshtein/maxLength of two names (quotes and outer spaces ignored). */
export function similarity(a: string, b: string): number {
  const x = normalizeName(a);
  const y = normalizeName(b);
  const longest = Math.max(x.length, y.length);
  return longest === 0 ? 0 : 1 - distance(x, y) / longest;
}

/** Lower-cased, unquoted, trimmed. */
export function normalizeName(name: string): string {
  return name.trim().replace(/^["`[]|["`\]]$/g, '').trim().toLowerCase();
}

interface Option {
  name: string;
  /** What the token is compared with (a column's bare name for `table.column` candidates). */
  key: string;
  isInScope: boolean;
}

function rank(token: string, options: Option[], limit: number): Candidate[] {
  // why spelled out: a key added to a spread copy misses V8's inline caches (~0.6 µs an option, every column).
  const scored = options.map((o) => ({ name: o.name, key: o.key, isInScope: o.isInScope, score: Math.round(similarity(token, o.key) * 1000) / 1000 }));
  scored.sort((p, q) => q.score - p.score || Number(q.isInScope) - Number(p.isInScope) || p.name.localeCompare(q.name));
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const s of scored) {
    if (s.score <= 0 || seen.has(s.name.toLowerCase())) continue;
    seen.add(s.name.toLowerCase());
    out.push({ name: s.name, score: s.score });
    if (out.length === limit) break;
  }
  return out;
}

/** The schema table called `name` (case-insensitive), if any. */
export function findTable(schema: DbSchema, name: string): TableInfo | undefined {
  const key = normalizeName(name);
  return schema.tables.find((t) => t.name.toLowerCase() === key);
}

function isIn(scope: readonly string[], table: string): boolean {
  return scope.some((s) => normalizeName(s) === table.toLowerCase());
}

/** Top table names for `token`, the tables the query already names first among equals. */
export function tableCandidates(token: string, schema: DbSchema, scope: readonly string[] = [], limit = MAX_CANDIDATES): Candidate[] {
  return rank(token, schema.tables.map((t) => ({ name: t.name, key: t.name, isInScope: isIn(scope, t.name) })), limit);
}

/**
 * Top `table.column` names for a column `token`. With `onlyTable` the search stays in that table; otherwise
 * columns of in-scope tables come first among equal scores.
 */
export function columnCandidates(
  token: string,
  schema: DbSchema,
  options: { scope?: readonly string[]; onlyTable?: TableInfo } = {},
  limit = MAX_CANDIDATES,
): Candidate[] {
  const tables = options.onlyTable === undefined ? schema.tables : [options.onlyTable];
  const scope = options.scope ?? [];
  const all = tables.flatMap((t) => t.columns.map((c) => ({ name: `${t.name}.${c.name}`, key: c.name, isInScope: isIn(scope, t.name) })));
  return rank(token, all, limit);
}

/** `table.column` for each in-scope table that has a column named `token` (ambiguous references), score 1. */
export function ambiguousCandidates(token: string, schema: DbSchema, scope: readonly string[], limit = MAX_CANDIDATES): Candidate[] {
  const key = normalizeName(token);
  const inScope = scope.map((s) => findTable(schema, s)).filter((t, i, all): t is TableInfo => t !== undefined && all.indexOf(t) === i);
  const tables = inScope.filter((t) => t.columns.some((c) => c.name.toLowerCase() === key));
  return tables.slice(0, limit).map((t) => ({ name: `${t.name}.${t.columns.find((c) => c.name.toLowerCase() === key)?.name ?? token}`, score: 1 }));
}

/** Closest built-in functions of the dialect for an unknown function name. */
export function functionCandidates(token: string, dialect: Dialect, limit = MAX_CANDIDATES): Candidate[] {
  return rank(token, FUNCTIONS[dialect].map((f) => ({ name: f, key: f, isInScope: false })), limit);
}

/** Columns named in a PostgreSQL hint: `Perhaps you meant to reference the column "t.c" [or the column "u.d"].` */
export function hintColumns(hint: string | undefined): string[] {
  if (hint === undefined || !/Perhaps you meant/i.test(hint)) return [];
  return [...hint.matchAll(/the column "([^"]+)"/g)].map((m) => m[1] as string);
}

/** Hint columns first (score HINT_SCORE), then the fuzzy candidates, without duplicates, at most `limit`. */
export function mergeHint(hinted: string[], fuzzy: Candidate[], limit = MAX_CANDIDATES): Candidate[] {
  const out: Candidate[] = hinted.map((name) => ({ name, score: HINT_SCORE }));
  const seen = new Set(hinted.map((h) => h.toLowerCase()));
  for (const c of fuzzy) if (!seen.has(c.name.toLowerCase())) out.push(c);
  return out.slice(0, limit);
}
