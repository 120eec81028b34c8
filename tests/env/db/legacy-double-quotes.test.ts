import { describe, expect, it } from 'vitest';
import { rewriteLegacyDoubleQuote } from '../../../src/env/db/legacy-double-quotes.js';

const hint = (name: string) => `no such column: "${name}" - should this be a string literal in single-quotes?`;

describe('rewriteLegacyDoubleQuote', () => {
  it('rewrites every unqualified "X" named by the error into a string literal', () => {
    const sql = 'SELECT a FROM t WHERE b = "Smith" OR c = "Smith" OR d = "Jones"';
    expect(rewriteLegacyDoubleQuote(sql, hint('Smith'))).toBe("SELECT a FROM t WHERE b = 'Smith' OR c = 'Smith' OR d = \"Jones\"");
  });

  it('understands the message of SQLite versions without the hint', () => {
    expect(rewriteLegacyDoubleQuote('SELECT "x y"', 'no such column: x y')).toBe("SELECT 'x y'");
  });

  it('escapes single quotes and unescapes doubled double quotes', () => {
    expect(rewriteLegacyDoubleQuote('SELECT "it\'s"', hint("it's"))).toBe("SELECT 'it''s'");
    expect(rewriteLegacyDoubleQuote('SELECT "say ""hi"""', hint('say "hi"'))).toBe('SELECT \'say "hi"\'');
  });

  it('leaves qualified names, single-quoted strings and comments alone', () => {
    const sql = `SELECT T1."x", "x"."y" FROM t AS T1 WHERE '"x"' = "x" -- "x"`;
    expect(rewriteLegacyDoubleQuote(sql, hint('x'))).toBe(`SELECT T1."x", "x"."y" FROM t AS T1 WHERE '"x"' = 'x' -- "x"`);
  });

  it('returns undefined for other errors or when no matching token exists', () => {
    expect(rewriteLegacyDoubleQuote('SELECT "a"', 'no such table: a')).toBeUndefined();
    expect(rewriteLegacyDoubleQuote('SELECT T1.b FROM t', 'no such column: T1.b')).toBeUndefined();
    expect(rewriteLegacyDoubleQuote('SELECT "A"', hint('a'))).toBeUndefined();
  });
});
