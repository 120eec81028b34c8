/**
 * Text-level steps of Spider's official execution evaluator (grading.md §1.1), applied before execution:
 * `postprocess`, DISTINCT stripping, the `YEAR(CURDATE())` rewrite and the textual ORDER BY test.
 */

export type SqlTokenKind = 'space' | 'comment' | 'string' | 'quoted' | 'number' | 'word' | 'op';

/** One lexical token; `tokenizeSql(s).map((t) => t.text).join('') === s`. */
export interface SqlToken {
  kind: SqlTokenKind;
  text: string;
}

const TWO_CHAR_OPS = new Set(['>=', '<=', '!=', '<>', '==', '||', '<<', '>>']);
const WORD_CHAR = /[\p{L}\p{N}_$#]/u;
const NUMBER_AT = /\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?/y;
const WORD_AT = /[\p{L}\p{N}_$#]+/uy;
const SPACE_AT = /\s+/y;

/** Index just past a quoted run opened at `start` by `open`, closed by `close`; a doubled `close` is an escape. */
function endOfQuoted(sql: string, start: number, close: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === close) {
      if (close !== ']' && sql[i + 1] === close) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}

function matchAt(re: RegExp, sql: string, i: number): string | undefined {
  re.lastIndex = i;
  return re.exec(sql)?.[0];
}

function nextToken(sql: string, i: number): SqlToken {
  const c = sql[i] ?? '';
  const space = matchAt(SPACE_AT, sql, i);
  if (space !== undefined) return { kind: 'space', text: space };
  if (sql.startsWith('--', i)) {
    const end = sql.indexOf('\n', i);
    return { kind: 'comment', text: sql.slice(i, end === -1 ? sql.length : end) };
  }
  if (sql.startsWith('/*', i)) {
    const end = sql.indexOf('*/', i + 2);
    return { kind: 'comment', text: sql.slice(i, end === -1 ? sql.length : end + 2) };
  }
  if (c === "'") return { kind: 'string', text: sql.slice(i, endOfQuoted(sql, i, "'")) };
  if (c === '"' || c === '`') return { kind: 'quoted', text: sql.slice(i, endOfQuoted(sql, i, c)) };
  if (c === '[') return { kind: 'quoted', text: sql.slice(i, endOfQuoted(sql, i, ']')) };
  const num = /[\d.]/.test(c) ? matchAt(NUMBER_AT, sql, i) : undefined;
  if (num !== undefined && !WORD_CHAR.test(sql[i + num.length] ?? '')) return { kind: 'number', text: num };
  const word = matchAt(WORD_AT, sql, i);
  if (word !== undefined) return { kind: 'word', text: word };
  const two = sql.slice(i, i + 2);
  if (TWO_CHAR_OPS.has(two)) return { kind: 'op', text: two };
  return { kind: 'op', text: String.fromCodePoint(sql.codePointAt(i) ?? 0) };
}

/** A lossless lexical split: strings, quoted identifiers and comments are single tokens. Never throws. */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const token = nextToken(sql, i);
    tokens.push(token);
    i += token.text.length;
  }
  return tokens;
}

/** Spider's `postprocess()`: `> =` → `>=`, `< =` → `<=`, `! =` → `!=`, everywhere in the text. */
export function postprocessSql(sql: string): string {
  return sql.replaceAll('> =', '>=').replaceAll('< =', '<=').replaceAll('! =', '!=');
}

/**
 * Spider's `remove_distinct()`: drops every `DISTINCT` token (case-insensitive) outside strings, quoted names and
 * comments, leaving the surrounding whitespace. Like `sqlparse.parse(s)[0]`, only the first statement is kept.
 */
export function removeDistinct(sql: string): string {
  let out = '';
  for (const token of tokenizeSql(sql)) {
    if (token.kind === 'word' && token.text.toLowerCase() === 'distinct') continue;
    out += token.text;
    if (token.kind === 'op' && token.text === ';') break;
  }
  return out;
}

/** Spider's `replace_cur_year()`, run on both queries right before execution. */
export function replaceCurrentYear(sql: string): string {
  return sql.replace(/YEAR\s*\(\s*CURDATE\s*\(\s*\)\s*\)\s*/gi, '2020');
}

/** Spider's order test: the comparison is ordered iff the lowercased gold text contains `order by` anywhere. */
export function isOrderSensitive(goldSql: string): boolean {
  return goldSql.toLowerCase().includes('order by');
}

/** The text Spider's evaluator executes for a query (gold or predicted) in its default setting. */
export function spiderExecutableSql(sql: string): string {
  return replaceCurrentYear(removeDistinct(postprocessSql(sql)));
}
