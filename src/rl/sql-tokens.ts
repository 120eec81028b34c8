/**
 * A small SQL tokenizer for the repair policy's lexical analyses (shape counts, literal comparisons, WHERE
 * conjuncts). Dialect-neutral: it only needs to skip strings, quoted identifiers and comments correctly.
 */
export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'param';

export interface Token {
  kind: TokenKind;
  /** Offsets into the SQL text: [start, end). */
  start: number;
  end: number;
  /** The text; for `quoted` the unquoted identifier, for `string` the unescaped content. */
  value: string;
  /** Parenthesis depth at the token (a `(` has the depth outside it). */
  depth: number;
}

const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;
const NUMBER = /0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const PARAM = /[?$:@][A-Za-z0-9_]*/y;
const OPERATORS = ['<=', '>=', '<>', '!=', '==', '||', '::', '->>', '->'];

function sticky(re: RegExp, sql: string, at: number): number {
  re.lastIndex = at;
  return re.test(sql) ? re.lastIndex : -1;
}

function closeAt(sql: string, at: number, close: string): number {
  let i = at + 1;
  while (i < sql.length) {
    if (sql[i] !== close) i += 1;
    else if (sql[i + 1] === close && close !== ']') i += 2;
    else return i + 1;
  }
  return sql.length;
}

function skipTrivia(sql: string, at: number): number {
  let i = at;
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i] as string)) i += 1;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      const endAt = sql.indexOf('*/', i + 2);
      i = endAt < 0 ? sql.length : endAt + 2;
    } else return i;
  }
}

function unquote(text: string, close: string): string {
  const inner = text.slice(1, text.endsWith(close) && text.length > 1 ? -1 : undefined);
  return close === ']' ? inner : inner.replaceAll(close + close, close);
}

function readToken(sql: string, at: number): Omit<Token, 'depth'> {
  const ch = sql[at] as string;
  if (ch === "'") {
    const end = closeAt(sql, at, "'");
    return { kind: 'string', start: at, end, value: unquote(sql.slice(at, end), "'") };
  }
  const close = ch === '"' ? '"' : ch === '`' ? '`' : ch === '[' ? ']' : undefined;
  if (close !== undefined) {
    const end = closeAt(sql, at, close);
    return { kind: 'quoted', start: at, end, value: unquote(sql.slice(at, end), close) };
  }
  for (const [kind, re] of [['number', NUMBER], ['word', WORD]] as const) {
    const end = sticky(re, sql, at);
    if (end > at) return { kind, start: at, end, value: sql.slice(at, end) };
  }
  const op = OPERATORS.find((o) => sql.startsWith(o, at));
  if (op !== undefined) return { kind: 'punct', start: at, end: at + op.length, value: op };
  const paramEnd = sticky(PARAM, sql, at);
  if (paramEnd > at + 1) return { kind: 'param', start: at, end: paramEnd, value: sql.slice(at, paramEnd) };
  return { kind: 'punct', start: at, end: at + 1, value: ch };
}

/** The significant tokens of `sql` (no whitespace or comments), each with its parenthesis depth. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  for (let i = skipTrivia(sql, 0); i < sql.length; i = skipTrivia(sql, i)) {
    const token = readToken(sql, i);
    if (token.kind === 'punct' && token.value === ')') depth = Math.max(0, depth - 1);
    // why spelled out: a key added to a spread copy misses V8's inline caches (~0.6 µs a token).
    tokens.push({ kind: token.kind, start: token.start, end: token.end, value: token.value, depth });
    if (token.kind === 'punct' && token.value === '(') depth += 1;
    i = token.end;
  }
  return tokens;
}

/** True when `token` is the keyword `word` (case-insensitive; quoted identifiers never are). */
export function isKeyword(token: Token | undefined, ...words: string[]): boolean {
  return token?.kind === 'word' && words.includes(token.value.toUpperCase());
}

/** True when `token` is the punctuation `value`. */
export function isPunct(token: Token | undefined, ...values: string[]): boolean {
  return token?.kind === 'punct' && values.includes(token.value);
}

/** True for a token that can name a table, column or alias. */
export function isName(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === 'word' || token.kind === 'quoted');
}
