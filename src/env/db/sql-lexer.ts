import type { Dialect } from './engine.js';

export type SqlTokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'comment' | 'space';

/** One lexical token; `value` is the text, except for `quoted` where it is the unescaped identifier. */
export interface SqlToken {
  kind: SqlTokenKind;
  start: number;
  end: number;
  value: string;
}

const SPACE = /\s+/y;
const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;
const NUMBER = /0[xX][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

function matchAt(re: RegExp, sql: string, at: number): number {
  re.lastIndex = at;
  return re.test(sql) ? re.lastIndex : -1;
}

/** End of a quoted run opened at `at` by `open`, where a doubled `close` is an escaped one. */
function quotedEnd(sql: string, at: number, close: string, hasBackslashEscapes = false): number {
  let i = at + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (hasBackslashEscapes && ch === '\\') i += 2;
    else if (ch !== close) i += 1;
    else if (sql[i + 1] === close && close !== ']') i += 2;
    else return i + 1;
  }
  return sql.length;
}

function blockCommentEnd(sql: string, at: number, isNested: boolean): number {
  let depth = 1;
  let i = at + 2;
  while (i < sql.length) {
    if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0 || !isNested) return i;
    } else if (isNested && sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else i += 1;
  }
  return sql.length;
}

function unquote(raw: string): string {
  const open = raw[0] ?? '';
  const close = open === '[' ? ']' : open;
  const body = raw.endsWith(close) && raw.length > 1 ? raw.slice(1, -1) : raw.slice(1);
  return open === '[' ? body : body.split(close + close).join(close);
}

/** Returns [kind, end] for the token starting at `at`. */
function scan(sql: string, at: number, dialect: Dialect): [SqlTokenKind, number] {
  const ch = sql[at] ?? '';
  const isPg = dialect === 'postgres';
  let end = matchAt(SPACE, sql, at);
  if (end > 0) return ['space', end];
  if (sql.startsWith('--', at)) {
    const nl = sql.indexOf('\n', at);
    return ['comment', nl < 0 ? sql.length : nl];
  }
  if (sql.startsWith('/*', at)) return ['comment', blockCommentEnd(sql, at, isPg)];
  if (ch === "'") return ['string', quotedEnd(sql, at, "'")];
  if (ch === '"') return ['quoted', quotedEnd(sql, at, '"')];
  if (!isPg && ch === '`') return ['quoted', quotedEnd(sql, at, '`')];
  if (!isPg && ch === '[') return ['quoted', quotedEnd(sql, at, ']')];
  if (isPg && ch === '$') {
    end = matchAt(DOLLAR_TAG, sql, at);
    if (end > 0) {
      const close = sql.indexOf(sql.slice(at, end), end);
      return ['string', close < 0 ? sql.length : close + (end - at)];
    }
  }
  end = matchAt(NUMBER, sql, at);
  if (end > 0) return ['number', end];
  end = matchAt(WORD, sql, at);
  if (end > 0) {
    // why: PostgreSQL E'...' strings take backslash escapes, so E'\'' must not end at the middle quote.
    if (isPg && end === at + 1 && (ch === 'E' || ch === 'e') && sql[end] === "'") return ['string', quotedEnd(sql, end, "'", true)];
    return ['word', end];
  }
  return ['punct', at + 1];
}

/**
 * Splits SQL into tokens, keeping strings, quoted identifiers, comments and PostgreSQL dollar quotes whole, so
 * that keyword checks never look inside them. Unterminated strings and comments run to the end of the input.
 */
export function lexSql(sql: string, dialect: Dialect): SqlToken[] {
  const tokens: SqlToken[] = [];
  let at = 0;
  while (at < sql.length) {
    const [kind, end] = scan(sql, at, dialect);
    const text = sql.slice(at, end);
    tokens.push({ kind, start: at, end, value: kind === 'quoted' ? unquote(text) : text });
    at = end;
  }
  return tokens;
}

/** The tokens that carry meaning: no whitespace, no comments. */
export function significantTokens(sql: string, dialect: Dialect): SqlToken[] {
  return lexSql(sql, dialect).filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}
