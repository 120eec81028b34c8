import type { ErrorClass } from './error-class.js';

/**
 * The message and code tables behind classifyFailure (repair-policy.md §3.1–3.3). Every message here was checked
 * against SQLite 3.53 (better-sqlite3 12) and PostgreSQL 15. Capture group 1, when present, is the offending
 * token as the message writes it (possibly qualified: `t.c`, `main.t`).
 */
export type TokenKind = 'table' | 'column' | 'function' | 'alias' | 'literal' | 'type' | 'operator' | 'token';

export interface MessagePattern {
  re: RegExp;
  errorClass: ErrorClass;
  tokenKind?: TokenKind;
}

/** SQLite reports almost everything as SQLITE_ERROR, so the message is the signal. Tried in order. */
export const SQLITE_PATTERNS: readonly MessagePattern[] = [
  { re: /^near "((?:[^"]|"")*)": syntax error/, errorClass: 'SYNTAX', tokenKind: 'token' },
  { re: /^unrecognized token: "((?:[^"]|"")*)"/, errorClass: 'SYNTAX', tokenKind: 'token' },
  { re: /^incomplete input/, errorClass: 'SYNTAX' },
  { re: /^a JOIN clause is required before (\w+)/, errorClass: 'SYNTAX', tokenKind: 'token' },
  { re: /^(\w+(?: BY)?) clause should come after \w+ not before/, errorClass: 'SYNTAX', tokenKind: 'token' },
  { re: /^(?:Missing named parameters|Too (?:few|many) parameter values|The supplied SQL string contains no statements)/, errorClass: 'SYNTAX' },
  { re: /^no such (?:table|view): (.+)$/, errorClass: 'UNKNOWN_TABLE', tokenKind: 'table' },
  { re: /^no such column: ("(?:[^"]|"")*") - should this be a string literal/, errorClass: 'UNKNOWN_COLUMN', tokenKind: 'column' },
  { re: /^no such column: (.+)$/, errorClass: 'UNKNOWN_COLUMN', tokenKind: 'column' },
  { re: /^cannot join using column (.+?) - column not present in both tables/, errorClass: 'UNKNOWN_COLUMN', tokenKind: 'column' },
  { re: /^ambiguous column name: (.+)$/, errorClass: 'AMBIGUOUS_REFERENCE', tokenKind: 'column' },
  { re: /^duplicate WITH table name: (.+)$/, errorClass: 'AMBIGUOUS_REFERENCE', tokenKind: 'table' },
  { re: /^no such function: (.+)$/, errorClass: 'UNKNOWN_FUNCTION', tokenKind: 'function' },
  { re: /^wrong number of arguments to function (.+?)\(\)/, errorClass: 'UNKNOWN_FUNCTION', tokenKind: 'function' },
  { re: /^no such collation sequence: (.+)$/, errorClass: 'UNKNOWN_FUNCTION', tokenKind: 'type' },
  { re: /^DISTINCT aggregates must have exactly one argument/, errorClass: 'UNKNOWN_FUNCTION' },
  { re: /^misuse of (?:aggregate function|window function|aggregate:) ?(.+?)\(\)/, errorClass: 'GROUPING', tokenKind: 'function' },
  { re: /^misuse of aliased (?:aggregate|window function) (.+)$/, errorClass: 'GROUPING', tokenKind: 'alias' },
  { re: /^aggregate functions are not allowed in the GROUP BY clause/, errorClass: 'GROUPING' },
  { re: /^(?:HAVING clause on a non-aggregate query|a GROUP BY clause is required before HAVING)/, errorClass: 'GROUPING' },
  { re: /^FILTER clause may only be used with aggregate window functions/, errorClass: 'GROUPING' },
  { re: /^(?:datatype mismatch|integer overflow|malformed JSON|JSON cannot hold BLOB values)/, errorClass: 'TYPE_MISMATCH' },
  { re: /^bad JSON path: '(.*)'/, errorClass: 'TYPE_MISMATCH', tokenKind: 'literal' },
  { re: /^row value misused/, errorClass: 'QUERY_SHAPE' },
  { re: /(?:ORDER|GROUP) BY term (?:out of range|does not match any column)/, errorClass: 'QUERY_SHAPE' },
  { re: /^SELECTs to the left and right of \w+(?: ALL)? do not have the same number of result columns/, errorClass: 'QUERY_SHAPE' },
  { re: /^sub-select returns \d+ columns - expected \d+/, errorClass: 'QUERY_SHAPE' },
  { re: /^no tables specified/, errorClass: 'QUERY_SHAPE' },
  { re: /^table (.+) has \d+ values for \d+ columns/, errorClass: 'QUERY_SHAPE', tokenKind: 'table' },
  { re: /^(?:too many columns in result set|too many FROM clause terms)/, errorClass: 'QUERY_SHAPE' },
  { re: /^(?:circular reference|multiple references to recursive table|recursive reference in a subquery): (.+)$/, errorClass: 'QUERY_SHAPE', tokenKind: 'table' },
  { re: /^interrupted/, errorClass: 'TIMEOUT' },
  { re: /^(?:attempt to write a readonly database|not authorized|database (?:table )?is locked)/, errorClass: 'REJECTED' },
  { re: /^(?:out of memory|string or blob too big|parser stack overflow|Expression tree is too large)/, errorClass: 'REJECTED' },
  { re: /does not return data/, errorClass: 'REJECTED' },
];

/** SQLite result codes (primary or extended names, matched as prefixes) that carry a class on their own. */
export const SQLITE_CODE_CLASSES: readonly (readonly [string, ErrorClass])[] = [
  ['SQLITE_MISMATCH', 'TYPE_MISMATCH'],
  ['SQLITE_INTERRUPT', 'TIMEOUT'],
  ['SQLITE_ERROR_MISSING_COLLSEQ', 'UNKNOWN_FUNCTION'],
  ['SQLITE_READONLY', 'REJECTED'],
  ['SQLITE_AUTH', 'REJECTED'],
  ['SQLITE_PERM', 'REJECTED'],
  ['SQLITE_BUSY', 'REJECTED'],
  ['SQLITE_LOCKED', 'REJECTED'],
  ['SQLITE_NOMEM', 'REJECTED'],
  ['SQLITE_TOOBIG', 'REJECTED'],
];

export interface PgMessagePattern extends MessagePattern {
  code: string;
}

/** PostgreSQL messages that refine their SQLSTATE's class or name the token. Tried in order, code first. */
export const PG_PATTERNS: readonly PgMessagePattern[] = [
  { code: '42601', re: /^each \w+ query must have the same number of columns/, errorClass: 'QUERY_SHAPE' },
  { code: '42601', re: /^subquery (?:must return only one column|has too (?:many|few) columns)/, errorClass: 'QUERY_SHAPE' },
  { code: '42601', re: /^SELECT \* with no tables specified/, errorClass: 'QUERY_SHAPE' },
  { code: '42601', re: /at or near "((?:[^"]|"")*)"/, errorClass: 'SYNTAX', tokenKind: 'token' },
  { code: '42883', re: /^operator does not exist: (.+)$/, errorClass: 'TYPE_MISMATCH', tokenKind: 'operator' },
  { code: '42883', re: /^function (.+?)\(.*\) does not exist/, errorClass: 'UNKNOWN_FUNCTION', tokenKind: 'function' },
  { code: '42725', re: /^operator is not unique: (.+)$/, errorClass: 'TYPE_MISMATCH', tokenKind: 'operator' },
  { code: '42725', re: /^function (.+?)\(.*\) is not unique/, errorClass: 'UNKNOWN_FUNCTION', tokenKind: 'function' },
  { code: '42P01', re: /^relation "((?:[^"]|"")+)" does not exist/, errorClass: 'UNKNOWN_TABLE', tokenKind: 'table' },
  { code: '42P01', re: /^missing FROM-clause entry for table "((?:[^"]|"")+)"/, errorClass: 'UNKNOWN_TABLE', tokenKind: 'alias' },
  { code: '42703', re: /^column "((?:[^"]|"")+)" specified in USING clause/, errorClass: 'UNKNOWN_COLUMN', tokenKind: 'column' },
  { code: '42703', re: /^column "((?:[^"]|"")+)" does not exist/, errorClass: 'UNKNOWN_COLUMN', tokenKind: 'column' },
  { code: '42703', re: /^column (\S+) does not exist/, errorClass: 'UNKNOWN_COLUMN', tokenKind: 'column' },
  { code: '42702', re: /^column reference "((?:[^"]|"")+)" is ambiguous/, errorClass: 'AMBIGUOUS_REFERENCE', tokenKind: 'column' },
  { code: '42P09', re: /reference "((?:[^"]|"")+)" is ambiguous/, errorClass: 'AMBIGUOUS_REFERENCE', tokenKind: 'alias' },
  { code: '42712', re: /^(?:table name|WITH query name) "((?:[^"]|"")+)" specified more than once/, errorClass: 'AMBIGUOUS_REFERENCE', tokenKind: 'alias' },
  { code: '42803', re: /^column "((?:[^"]|"")+)" must appear in the GROUP BY clause/, errorClass: 'GROUPING', tokenKind: 'column' },
  { code: '42704', re: /^(?:type|collation) "((?:[^"]|"")+)"/, errorClass: 'UNKNOWN_FUNCTION', tokenKind: 'type' },
  { code: '22P02', re: /^invalid input syntax for type [\w ]+: "(.*)"$/, errorClass: 'TYPE_MISMATCH', tokenKind: 'literal' },
  { code: '22007', re: /: "(.*)"$/, errorClass: 'TYPE_MISMATCH', tokenKind: 'literal' },
  { code: '22008', re: /: "(.*)"$/, errorClass: 'TYPE_MISMATCH', tokenKind: 'literal' },
];

/** Exact SQLSTATEs (repair-policy.md §3.3). */
export const PG_SQLSTATE_CLASSES: Readonly<Record<string, ErrorClass>> = {
  '42601': 'SYNTAX',
  '42000': 'SYNTAX',
  '42P01': 'UNKNOWN_TABLE',
  '3F000': 'UNKNOWN_TABLE',
  '42703': 'UNKNOWN_COLUMN',
  '42702': 'AMBIGUOUS_REFERENCE',
  '42P09': 'AMBIGUOUS_REFERENCE',
  '42712': 'AMBIGUOUS_REFERENCE',
  '42883': 'UNKNOWN_FUNCTION',
  '42725': 'UNKNOWN_FUNCTION',
  '42704': 'UNKNOWN_FUNCTION',
  '42803': 'GROUPING',
  '42P20': 'GROUPING',
  '42804': 'TYPE_MISMATCH',
  '42846': 'TYPE_MISMATCH',
  '42P18': 'TYPE_MISMATCH',
  '21000': 'QUERY_SHAPE',
  '42P10': 'QUERY_SHAPE',
  '57014': 'TIMEOUT',
  '42501': 'REJECTED',
  '25006': 'REJECTED',
  '54001': 'REJECTED',
  '0A000': 'REJECTED',
};

/** SQLSTATE classes (first two characters) for codes not in the exact table. */
export const PG_SQLSTATE_CLASS_PREFIXES: Readonly<Record<string, ErrorClass>> = {
  '22': 'TYPE_MISMATCH',
  '53': 'REJECTED',
  '54': 'REJECTED',
};
