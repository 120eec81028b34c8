import type { DbSchema, SqlFailure } from '../env/index.js';
import {
  PG_PATTERNS,
  PG_SQLSTATE_CLASSES,
  PG_SQLSTATE_CLASS_PREFIXES,
  SQLITE_CODE_CLASSES,
  SQLITE_PATTERNS,
  type TokenKind,
} from './error-patterns.js';
import {
  ambiguousCandidates,
  columnCandidates,
  findTable,
  functionCandidates,
  hintColumns,
  mergeHint,
  tableCandidates,
  type Candidate,
} from './schema-match.js';
import { analyzeSql, type SqlShape } from './sql-shape.js';
import { isName, isPunct, tokenize } from './sql-tokens.js';

/** repair-policy.md §3.3, in the spec's order (this order is the features' one-hot order). */
export const ERROR_CLASSES = [
  'SYNTAX',
  'UNKNOWN_TABLE',
  'UNKNOWN_COLUMN',
  'AMBIGUOUS_REFERENCE',
  'UNKNOWN_FUNCTION',
  'GROUPING',
  'TYPE_MISMATCH',
  'QUERY_SHAPE',
  'TIMEOUT',
  'REJECTED',
  'EMPTY_RESULT',
  'WRONG_RESULT',
  'OTHER',
] as const;

export type ErrorClass = (typeof ERROR_CLASSES)[number];

export type { Candidate } from './schema-match.js';

/** What went wrong with an attempt (structurally the Diagnosis of env/ports.ts). */
export interface ErrorInfo {
  errorClass: ErrorClass;
  /** The dialect's raw code ('SQLITE_ERROR', a SQLSTATE, 'TIMEOUT', 'REJECTED', 'EMPTY_RESULT'…). */
  rawCode: string;
  rawMessage: string;
  /** The offending name or text, unquoted (`nam` of `no such column: s.nam`). */
  token?: string;
  /** Its qualifier (`s` of `s.nam`), when the message or query gave one. */
  qualifier?: string;
  /** Best schema names for the token, best first, at most 3 (PostgreSQL HINT names first, score 1). */
  candidates: Candidate[];
}

export function isErrorClass(value: string): value is ErrorClass {
  return (ERROR_CLASSES as readonly string[]).includes(value);
}

interface Match {
  errorClass: ErrorClass;
  tokenKind?: TokenKind;
  raw?: string;
}

function matchSqlite(failure: SqlFailure): Match {
  for (const p of SQLITE_PATTERNS) {
    const m = p.re.exec(failure.message);
    if (m !== null) return { errorClass: p.errorClass, ...(p.tokenKind === undefined ? {} : { tokenKind: p.tokenKind }), ...(m[1] === undefined ? {} : { raw: m[1] }) };
  }
  const byCode = SQLITE_CODE_CLASSES.find(([prefix]) => failure.code.startsWith(prefix));
  return { errorClass: byCode?.[1] ?? 'OTHER' };
}

function matchPg(failure: SqlFailure): Match {
  for (const p of PG_PATTERNS) {
    if (p.code !== failure.code) continue;
    const m = p.re.exec(failure.message);
    if (m !== null) return { errorClass: p.errorClass, ...(p.tokenKind === undefined ? {} : { tokenKind: p.tokenKind }), ...(m[1] === undefined ? {} : { raw: m[1] }) };
  }
  const errorClass = PG_SQLSTATE_CLASSES[failure.code] ?? PG_SQLSTATE_CLASS_PREFIXES[failure.code.slice(0, 2)] ?? 'OTHER';
  return { errorClass };
}

function unquoteWhole(raw: string): string {
  return raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw.replaceAll('""', '"');
}

/** `a.b.c` → qualifier `b`, token `c`; quotes removed. Literals, operators and syntax tokens are kept whole. */
function splitToken(raw: string, kind: TokenKind | undefined): { token: string; qualifier?: string } {
  if (kind === 'literal' || kind === 'operator' || kind === 'token' || !raw.includes('.')) return { token: unquoteWhole(raw) };
  const parts = tokenize(raw);
  const names = parts.filter(isName).map((t) => t.value);
  const isDotted = names.length > 1 && parts.every((t, i) => (i % 2 === 0 ? isName(t) : isPunct(t, '.')));
  if (!isDotted) return { token: names.length === 1 && parts.length === 1 ? (names[0] as string) : raw };
  return { token: names[names.length - 1] as string, qualifier: names[names.length - 2] as string };
}

const IDENTIFIER_AT = /^(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))?/;

// why: a position often points at a keyword (`IN (`, `SELECT`), which names nothing the repair can use.
const KEYWORDS = new Set([
  'ALL', 'AND', 'ANY', 'AS', 'ASC', 'BETWEEN', 'BY', 'CASE', 'CAST', 'DESC', 'DISTINCT', 'ELSE', 'END', 'EXCEPT',
  'EXISTS', 'FROM', 'GROUP', 'HAVING', 'IN', 'INTERSECT', 'IS', 'JOIN', 'LIKE', 'LIMIT', 'NOT', 'NULL', 'OFFSET', 'ON',
  'OR', 'ORDER', 'SELECT', 'THEN', 'UNION', 'USING', 'WHEN', 'WHERE', 'WITH',
]);

/** The identifier starting at a PostgreSQL 1-based character position, unless none or a keyword starts there. */
function identifierAt(sql: string, position: number): string | undefined {
  const m = IDENTIFIER_AT.exec(sql.slice(position - 1));
  return m === null || KEYWORDS.has(m[0].toUpperCase()) ? undefined : m[0];
}

function resolveTable(name: string | undefined, shape: SqlShape, schema: DbSchema | undefined): string | undefined {
  if (name === undefined) return undefined;
  const aliased = shape.aliases[name.toLowerCase()];
  const table = aliased !== undefined && aliased !== '' ? aliased : name;
  if (schema !== undefined) return findTable(schema, table)?.name;
  return shape.tables.find((t) => t.toLowerCase() === table.toLowerCase());
}

function candidatesFor(info: ErrorInfo, failure: SqlFailure, shape: SqlShape, schema: DbSchema | undefined): Candidate[] {
  const { token, qualifier } = info;
  if (token === undefined) return [];
  if (info.errorClass === 'UNKNOWN_FUNCTION' && info.rawCode !== '42704' && !info.rawCode.includes('COLLSEQ')) {
    return functionCandidates(token, failure.dialect);
  }
  if (schema === undefined) return [];
  if (info.errorClass === 'UNKNOWN_TABLE') return tableCandidates(token, schema, shape.tables);
  if (info.errorClass === 'AMBIGUOUS_REFERENCE') return ambiguousCandidates(token, schema, shape.tables);
  if (info.errorClass !== 'UNKNOWN_COLUMN') return [];
  const table = resolveTable(qualifier, shape, schema);
  const onlyTable = table === undefined ? undefined : findTable(schema, table);
  const fuzzy = columnCandidates(token, schema, { scope: shape.tables, ...(onlyTable === undefined ? {} : { onlyTable }) });
  const hinted = hintColumns(failure.hint).map((h) => {
    const { token: column, qualifier: q } = splitToken(h, 'column');
    const t = resolveTable(q, shape, schema);
    return t === undefined ? h : `${t}.${column}`;
  });
  return mergeHint(hinted, fuzzy);
}

/**
 * SQLite's `no such column: x.c` where `x` is neither a table nor an alias of the query is PostgreSQL's
 * `missing FROM-clause entry for table "x"`: the unknown name is the table, so both dialects say UNKNOWN_TABLE.
 */
function refineUnknownQualifier(info: ErrorInfo, shape: SqlShape, schema: DbSchema | undefined): ErrorInfo {
  if (info.errorClass !== 'UNKNOWN_COLUMN' || info.qualifier === undefined) return info;
  const q = info.qualifier.toLowerCase();
  if (q in shape.aliases || resolveTable(info.qualifier, shape, schema) !== undefined) return info;
  if (schema === undefined && shape.tables.length === 0) return info;
  const { qualifier, ...rest } = info;
  return { ...rest, errorClass: 'UNKNOWN_TABLE', token: qualifier };
}

/**
 * Classifies an agent's failed query: execution outcome (timeout, rejected) first, then the PostgreSQL SQLSTATE
 * (message refinements, exact code, code class) or the ordered SQLite message patterns, then OTHER. Extracts the
 * offending token and ranks schema candidates for it when `schema` is given.
 */
export function classifyFailure(failure: SqlFailure, sql: string, schema?: DbSchema): ErrorInfo {
  const base = { rawCode: failure.code, rawMessage: failure.message, candidates: [] as Candidate[] };
  if (failure.kind === 'timeout') return { errorClass: 'TIMEOUT', ...base };
  if (failure.kind === 'rejected') return { errorClass: 'REJECTED', ...base };
  const match = failure.dialect === 'postgres' ? matchPg(failure) : matchSqlite(failure);
  let raw = match.raw;
  if (raw === undefined && failure.position !== undefined && match.errorClass !== 'TIMEOUT') raw = identifierAt(sql, failure.position);
  let info: ErrorInfo = { errorClass: match.errorClass, ...base };
  if (raw !== undefined && raw !== '') info = { ...info, ...splitToken(raw, match.tokenKind ?? 'column') };
  const shape = analyzeSql(sql);
  info = refineUnknownQualifier(info, shape, schema);
  return { ...info, candidates: candidatesFor(info, failure, shape, schema) };
}

/** How a query that ran compares with the gold result. */
export interface OutcomeCheck {
  isMatch: boolean;
  /** Rows of the gold result; when unknown, an empty non-matching result counts as EMPTY_RESULT. */
  goldRowCount?: number;
}

/**
 * Classifies a query that ran: undefined when it matches gold, EMPTY_RESULT when it returned no rows and gold has
 * some, otherwise WRONG_RESULT. The message never reveals the gold result.
 */
export function classifyOutcome(result: { rowCount: number }, check: OutcomeCheck): ErrorInfo | undefined {
  if (check.isMatch) return undefined;
  const isEmpty = result.rowCount === 0 && (check.goldRowCount === undefined || check.goldRowCount > 0);
  return isEmpty
    ? { errorClass: 'EMPTY_RESULT', rawCode: 'EMPTY_RESULT', rawMessage: 'The query ran but returned no rows, and the question has an answer.', candidates: [] }
    : { errorClass: 'WRONG_RESULT', rawCode: 'WRONG_RESULT', rawMessage: `The query ran and returned ${result.rowCount} row(s), but they do not answer the question.`, candidates: [] };
}
