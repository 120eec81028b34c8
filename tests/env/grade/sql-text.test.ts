import { describe, expect, it } from 'vitest';
import {
  isOrderSensitive,
  postprocessSql,
  removeDistinct,
  replaceCurrentYear,
  spiderExecutableSql,
  tokenizeSql,
} from '../../../src/env/grade/sql-text.js';

describe('postprocessSql', () => {
  it('joins Spider tokenised comparison operators everywhere', () => {
    expect(postprocessSql('SELECT a FROM t WHERE b > = 1 AND c < = 2 AND d ! = 3')).toBe(
      'SELECT a FROM t WHERE b >= 1 AND c <= 2 AND d != 3',
    );
    expect(postprocessSql("SELECT '> ='")).toBe("SELECT '>='");
  });
});

describe('removeDistinct', () => {
  it('drops DISTINCT tokens in any case and keeps the whitespace around them', () => {
    expect(removeDistinct('SELECT DISTINCT name FROM t')).toBe('SELECT  name FROM t');
    expect(removeDistinct('SELECT count(distinct x) FROM t')).toBe('SELECT count( x) FROM t');
    expect(removeDistinct('select Distinct a from t union select DISTINCT b from u')).toBe('select  a from t union select  b from u');
  });

  it('leaves strings, quoted names, comments and longer identifiers alone', () => {
    const sql = `SELECT distinct_count, "distinct", [distinct], \`distinct\` FROM t WHERE x = 'distinct' -- distinct`;
    expect(removeDistinct(sql)).toBe(sql);
    expect(removeDistinct('SELECT a /* DISTINCT */ FROM t')).toBe('SELECT a /* DISTINCT */ FROM t');
  });

  it('keeps only the first statement, like sqlparse.parse(s)[0]', () => {
    expect(removeDistinct('SELECT a FROM t; SELECT DISTINCT b FROM u')).toBe('SELECT a FROM t;');
    expect(removeDistinct("SELECT ';' FROM t")).toBe("SELECT ';' FROM t");
  });
});

describe('isOrderSensitive', () => {
  it('is a purely textual, case-insensitive test on the gold, subqueries included', () => {
    expect(isOrderSensitive('SELECT a FROM t ORDER BY a')).toBe(true);
    expect(isOrderSensitive('SELECT a FROM t WHERE b IN (SELECT b FROM u order by b LIMIT 3)')).toBe(true);
    expect(isOrderSensitive('SELECT a FROM t')).toBe(false);
    expect(isOrderSensitive('SELECT a FROM t ORDER  BY a')).toBe(false);
  });
});

describe('replaceCurrentYear and spiderExecutableSql', () => {
  it('rewrites YEAR(CURDATE()) to 2020', () => {
    expect(replaceCurrentYear('SELECT year ( curdate ( ) ) - age FROM t')).toBe('SELECT 2020- age FROM t');
  });

  it('applies postprocess, DISTINCT stripping and the year rewrite in order', () => {
    expect(spiderExecutableSql('SELECT DISTINCT a FROM t WHERE b > = YEAR(CURDATE())')).toBe('SELECT  a FROM t WHERE b >= 2020');
  });
});

describe('tokenizeSql', () => {
  it('is lossless and keeps strings, quoted names and comments whole', () => {
    const sql = `SELECT "a b", 'it''s', [x y], 1.5e3 -- c\nFROM t WHERE a>=1 /* x */`;
    const tokens = tokenizeSql(sql);
    expect(tokens.map((t) => t.text).join('')).toBe(sql);
    expect(tokens.filter((t) => t.kind === 'string').map((t) => t.text)).toEqual(["'it''s'"]);
    expect(tokens.filter((t) => t.kind === 'quoted').map((t) => t.text)).toEqual(['"a b"', '[x y]']);
    expect(tokens.filter((t) => t.kind === 'comment')).toHaveLength(2);
    expect(tokens.some((t) => t.kind === 'op' && t.text === '>=')).toBe(true);
    expect(tokens.some((t) => t.kind === 'number' && t.text === '1.5e3')).toBe(true);
  });

  it('never throws on unterminated strings or comments', () => {
    expect(tokenizeSql("SELECT 'abc").map((t) => t.text).join('')).toBe("SELECT 'abc");
    expect(tokenizeSql('SELECT /* abc').at(-1)?.kind).toBe('comment');
  });
});
