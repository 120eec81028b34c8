import { describe, expect, it } from 'vitest';
import { analyzeSql } from '../../src/rl/sql-shape.js';
import { innerToLeftJoins, whereClause, withConjuncts } from '../../src/rl/sql-rewrite.js';

describe('analyzeSql', () => {
  it('finds tables and aliases of FROM lists and joins, and counts joins', () => {
    const shape = analyzeSql('SELECT T1.name FROM singer AS T1 JOIN "Singer In Concert" T2 ON T1.singer_id = T2.singer_id, main.stadium s WHERE 1 = 1');
    expect(shape.tables).toEqual(['singer', 'Singer In Concert', 'stadium']);
    expect(shape.aliases).toEqual({ t1: 'singer', t2: 'Singer In Concert', s: 'stadium' });
    expect(shape.joins).toBe(2);
  });

  it('counts subqueries, aggregates, clauses and literals, ignoring keywords inside strings and comments', () => {
    const shape = analyzeSql(`SELECT DISTINCT country, count(*) FROM singer -- JOIN x
      WHERE age > 20 AND name <> 'GROUP BY JOIN' AND singer_id IN (SELECT singer_id FROM singer_in_concert)
      GROUP BY country HAVING max(age) > 30 UNION SELECT 'x', 1 ORDER BY 1 LIMIT 5`);
    expect(shape).toMatchObject({ joins: 0, subqueries: 1, hasGroupBy: true, hasHaving: true, aggregates: 2, hasOrderBy: true, hasLimit: true, hasDistinct: true, setOperations: 1 });
    expect(shape.predicates).toBe(4);
    expect(shape.literals).toBe(6);
  });

  it('extracts column-literal comparisons in both directions, IN lists, BETWEEN and LIKE', () => {
    const shape = analyzeSql(`SELECT * FROM singer s WHERE s.country = 'France' AND 30 < age AND lower(name) LIKE '%joe%'
      AND country NOT IN ('US', 'UK') AND age BETWEEN 20 AND -5 AND age = other_col`);
    expect(shape.literalComparisons).toEqual([
      { column: 'country', qualifier: 's', op: '=', literal: 'France', isNumber: false },
      { column: 'age', op: '<', literal: '30', isNumber: true },
      { column: 'name', op: 'LIKE', literal: '%joe%', isNumber: false },
      { column: 'country', op: 'IN', literal: 'US', isNumber: false },
      { column: 'country', op: 'IN', literal: 'UK', isNumber: false },
      { column: 'age', op: 'BETWEEN', literal: '20', isNumber: true },
      { column: 'age', op: 'BETWEEN', literal: '-5', isNumber: true },
    ]);
  });

  it('never throws on broken SQL', () => {
    for (const sql of ['', 'SELECT (', "SELECT 'unterminated", 'FROM FROM JOIN', ') ) WHERE AND']) expect(() => analyzeSql(sql)).not.toThrow();
  });
});

describe('WHERE rewriting', () => {
  const sql = "SELECT name FROM singer WHERE age BETWEEN 20 AND 40 AND (country = 'a' OR country = 'b') AND name LIKE 'J%' ORDER BY name";

  it('splits the outer WHERE into top-level conjuncts, keeping BETWEEN … AND and parentheses whole', () => {
    expect(whereClause(sql)?.conjuncts).toEqual(['age BETWEEN 20 AND 40', "(country = 'a' OR country = 'b')", "name LIKE 'J%'"]);
    expect(whereClause("SELECT 1 FROM t WHERE a = 1 OR b = 2 AND c = 3")?.conjuncts).toEqual(['a = 1 OR b = 2 AND c = 3']);
    expect(whereClause('SELECT * FROM (SELECT * FROM t WHERE a = 1) x')).toBeUndefined();
  });

  it('rebuilds the query with some conjuncts or without the WHERE', () => {
    const clause = whereClause(sql);
    if (clause === undefined) expect.fail('no WHERE found');
    expect(withConjuncts(sql, clause, ["name LIKE 'J%'"])).toBe("SELECT name FROM singer WHERE name LIKE 'J%' ORDER BY name");
    expect(withConjuncts(sql, clause, [])).toBe('SELECT name FROM singer ORDER BY name');
  });

  it('turns inner joins into left joins and leaves outer joins alone', () => {
    expect(innerToLeftJoins('SELECT 1 FROM a JOIN b ON a.x = b.x INNER JOIN c ON c.x = b.x LEFT JOIN d ON d.x = c.x')).toBe(
      'SELECT 1 FROM a LEFT JOIN b ON a.x = b.x LEFT JOIN c ON c.x = b.x LEFT JOIN d ON d.x = c.x',
    );
    expect(innerToLeftJoins('SELECT 1 FROM a, b')).toBeUndefined();
  });
});
