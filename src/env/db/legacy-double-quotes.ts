import { lexSql, type SqlToken } from './sql-lexer.js';

// SQLite ≥ 3.41 adds a hint to the message for a double-quoted name; older ones print the bare name.
const NO_SUCH_COLUMN = /^no such column: (?:"(.*)" - should this be a string literal in single-quotes\?|(.+))$/s;

function isQualifiedPart(tokens: SqlToken[], index: number): boolean {
  const isDot = (t: SqlToken | undefined) => t?.kind === 'punct' && t.value === '.';
  let before = index - 1;
  while (tokens[before]?.kind === 'space' || tokens[before]?.kind === 'comment') before -= 1;
  let after = index + 1;
  while (tokens[after]?.kind === 'space' || tokens[after]?.kind === 'comment') after += 1;
  return isDot(tokens[before]) || isDot(tokens[after]);
}

/**
 * Emulates SQLite's legacy double-quoted string literals (SQLITE_DQS, as in Python's sqlite3) for one error:
 * given `no such column: "X"`, returns the SQL with every unqualified `"X"` identifier written as the string 'X',
 * or undefined when the error is another one or no such token exists.
 */
export function rewriteLegacyDoubleQuote(sql: string, errorMessage: string): string | undefined {
  const match = NO_SUCH_COLUMN.exec(errorMessage);
  const name = match?.[1] ?? match?.[2];
  if (name === undefined) return undefined;
  const tokens = lexSql(sql, 'sqlite');
  const hits = tokens.filter(
    (t, i) => t.kind === 'quoted' && sql[t.start] === '"' && t.value === name && !isQualifiedPart(tokens, i),
  );
  if (hits.length === 0) return undefined;
  const literal = `'${name.replaceAll("'", "''")}'`;
  let out = '';
  let at = 0;
  for (const hit of hits) {
    out += sql.slice(at, hit.start) + literal;
    at = hit.end;
  }
  return out + sql.slice(at);
}
