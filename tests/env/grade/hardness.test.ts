import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyHardness, hardnessCounts, spiderHardness, type SpiderHardness } from '../../../src/env/grade/hardness.js';
import { describeSpider, SPIDER_DIR } from '../../helpers/spider.js';

describe('hardnessCounts', () => {
  it('counts WHERE, GROUP BY, ORDER BY, LIMIT and extra tables into comp1', () => {
    expect(hardnessCounts('SELECT count(*) FROM head WHERE age  >  56')).toEqual({ comp1: 1, comp2: 0, others: 0 });
    expect(hardnessCounts('SELECT creation FROM department GROUP BY creation ORDER BY count(*) DESC LIMIT 1')).toEqual({
      comp1: 3,
      comp2: 0,
      others: 0,
    });
    const joins = 'SELECT T1.a FROM x AS T1 JOIN y AS T2 ON T1.id = T2.id JOIN z AS T3 ON T2.id = T3.id';
    expect(hardnessCounts(joins).comp1).toBe(2);
  });

  it('adds OR connectives and LIKE conditions (NOT LIKE too) to comp1, but not the AND of a BETWEEN', () => {
    expect(hardnessCounts("SELECT a FROM t WHERE b LIKE '%x%' OR c = 1")).toEqual({ comp1: 3, comp2: 0, others: 1 });
    expect(hardnessCounts("SELECT a FROM t WHERE b NOT LIKE '%x%'").comp1).toBe(2);
    expect(hardnessCounts('SELECT a FROM t WHERE b BETWEEN 1 AND 2')).toEqual({ comp1: 1, comp2: 0, others: 0 });
    expect(hardnessCounts('SELECT a FROM t WHERE b BETWEEN 1 AND 2 AND c = 3').others).toBe(1);
  });

  it('counts subqueries in conditions and one set operation into comp2, but not a FROM subquery', () => {
    expect(hardnessCounts('SELECT a FROM t WHERE b IN (SELECT b FROM u WHERE c > (SELECT avg(c) FROM u))').comp2).toBe(1);
    expect(hardnessCounts('SELECT a FROM t WHERE b > (SELECT avg(b) FROM t) AND c BETWEEN (SELECT 1) AND (SELECT 2)').comp2).toBe(3);
    expect(hardnessCounts('SELECT a FROM t INTERSECT SELECT a FROM u UNION SELECT a FROM v').comp2).toBe(1);
    expect(hardnessCounts('SELECT count(*) FROM (SELECT a FROM t)').comp2).toBe(0);
  });

  it("counts NOT conditions as aggregations (Spider's not-flag quirk)", () => {
    const sql = 'SELECT count(*) FROM department WHERE department_id NOT IN (SELECT department_id FROM management)';
    expect(hardnessCounts(sql)).toEqual({ comp1: 1, comp2: 1, others: 1 });
    expect(hardnessCounts('SELECT count(*) FROM d WHERE id IN (SELECT id FROM m)').others).toBe(0);
  });

  it('counts each HAVING connective as an aggregation (unsliced HAVING quirk)', () => {
    expect(hardnessCounts('SELECT count(*) FROM t GROUP BY a HAVING count(*) > 1').others).toBe(0);
    expect(hardnessCounts('SELECT count(*) FROM t GROUP BY a HAVING count(*) > 1 AND sum(b) > 2').others).toBe(1);
  });

  it('counts select columns, where conditions, group-by columns and aggregations into others', () => {
    expect(hardnessCounts('SELECT max(a), min(a) FROM t').others).toBe(2);
    expect(hardnessCounts('SELECT a, b FROM t WHERE c = 1 AND d = 2 GROUP BY a, b ORDER BY sum(e) - avg(f)')).toEqual({
      comp1: 3,
      comp2: 0,
      others: 4,
    });
  });

  it('reads only the top-level block of a set operation', () => {
    expect(hardnessCounts('SELECT a FROM t UNION SELECT a, b FROM u WHERE x = 1 ORDER BY a')).toEqual({ comp1: 0, comp2: 1, others: 0 });
  });
});

describe('classifyHardness', () => {
  it("follows Spider's boundaries", () => {
    const cases: [number, number, number, SpiderHardness][] = [
      [1, 0, 0, 'easy'],
      [0, 0, 1, 'medium'],
      [1, 0, 2, 'medium'],
      [2, 0, 1, 'medium'],
      [2, 0, 2, 'extra'],
      [2, 0, 3, 'hard'],
      [3, 0, 2, 'hard'],
      [3, 0, 3, 'extra'],
      [0, 1, 0, 'hard'],
      [1, 1, 1, 'extra'],
      [4, 0, 0, 'extra'],
      [0, 2, 0, 'extra'],
    ];
    for (const [comp1, comp2, others, label] of cases) expect(classifyHardness({ comp1, comp2, others })).toBe(label);
  });
});

describe('spiderHardness', () => {
  it('labels typical Spider queries', () => {
    expect(spiderHardness('SELECT count(*) FROM farm')).toBe('easy');
    expect(spiderHardness('SELECT name ,  born_state ,  age FROM head ORDER BY age')).toBe('medium');
    expect(spiderHardness("SELECT T1.a FROM x AS T1 JOIN y AS T2 ON T1.id = T2.id JOIN z AS T3 ON T2.id = T3.id WHERE T3.s = 'A'")).toBe('hard');
    expect(spiderHardness('SELECT a FROM t WHERE x = 1 INTERSECT SELECT a FROM t WHERE x = 2')).toBe('hard');
    expect(spiderHardness('SELECT count(*) FROM d WHERE id NOT IN (SELECT id FROM m)')).toBe('extra');
  });

  it('labels odd or broken SQL instead of throwing', () => {
    for (const sql of ['', ';', 'SELECT', 'DELETE FROM t', 'SELECT (((a FROM', "SELECT 'x"]) {
      expect(['easy', 'medium', 'hard', 'extra']).toContain(spiderHardness(sql));
    }
  });
});

describeSpider('spiderHardness over spider-train', () => {
  it('labels every question, with every level well represented', () => {
    const questions = JSON.parse(fs.readFileSync(path.join(SPIDER_DIR, 'questions.json'), 'utf8')) as { query: string }[];
    const counts: Record<SpiderHardness, number> = { easy: 0, medium: 0, hard: 0, extra: 0 };
    for (const q of questions) counts[spiderHardness(q.query)] += 1;
    console.log(`[hardness] spider-train (${questions.length}): ${JSON.stringify(counts)}`);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(questions.length);
    for (const n of Object.values(counts)) expect(n).toBeGreaterThan(questions.length * 0.1);
    expect(counts.medium).toBeGreaterThan(counts.extra);
  });
});
