import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteEngine } from '../../../src/env/db/sqlite-engine.js';
import { createGrader, type GradeRequest } from '../../../src/env/grade/grader.js';
import { silentLogger } from '../../helpers/logs.js';
import { testConfig } from '../../helpers/test-config.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const dir = tmpDir('grader-');
const file = path.join(dir, 'shop.sqlite');
const db = new Database(file);
db.exec(`
  CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, price REAL, stock INTEGER);
  INSERT INTO item VALUES (1, 'apple', 'fruit', 1.0, 10), (2, 'pear', 'fruit', 2.5, NULL),
    (3, 'leek', 'veg', 1.0, 4), (4, 'kale', 'veg', 3.0, 0), (5, 'fig', 'fruit', 4.0, 7);
`);
db.close();

const config = testConfig({ SQL_WORKERS: '1' });
const engine = createSqliteEngine(config.sql, silentLogger(), { shop: file });
afterAll(() => engine.close());

const grader = createGrader({ engine, log: silentLogger(), score: config.score, gradeMaxRows: 1000, timeoutMs: 5000 });

function request(goldSql: string, prediction: GradeRequest['prediction'], mode?: GradeRequest['mode']): GradeRequest {
  return { database: 'shop', goldSql, legacyDoubleQuotes: false, prediction, ...(mode === undefined ? {} : { mode }) };
}

describe('grader scores', () => {
  it('gives a match the clamped maximum, raw 1, and success', async () => {
    const g = await grader.grade(request('SELECT name, price FROM item', 'SELECT price, name FROM item ORDER BY id DESC'));
    expect(g).toMatchObject({ mode: 'strict', isMatch: true, raw: 1, score: 0.95, isSuccess: true });
    expect(g.components).toEqual({ executes: 1, match: 1, partial: 1, columnCountMatch: true, rowCountRatio: 1 });
    expect(g.predResult?.rows).toHaveLength(5);
  });

  it('gives a wrong but executing query 0.1 + 0.5 * partial, never a success', async () => {
    const g = await grader.grade(request("SELECT name FROM item WHERE kind = 'fruit'", "SELECT name FROM item WHERE kind = 'veg'"));
    expect(g.isMatch).toBe(false);
    expect(g.components.partial).toBe(0);
    expect(g.raw).toBeCloseTo(0.1, 10);
    expect(g.score).toBeCloseTo(0.1, 10);
    const near = await grader.grade(request('SELECT name FROM item', "SELECT name FROM item WHERE kind = 'fruit'"));
    expect(near.components.partial).toBeCloseTo(0.75, 10);
    expect(near.components.rowCountRatio).toBeCloseTo(0.6, 10);
    expect(near.raw).toBeCloseTo(0.475, 10);
    expect(near.isSuccess).toBe(false);
  });

  it('scores a failing prediction 0 raw and the clamped minimum, keeping the failure', async () => {
    const g = await grader.grade(request('SELECT name FROM item', 'SELECT nam FROM item'));
    expect(g).toMatchObject({ isMatch: false, raw: 0, score: 0.05, isSuccess: false });
    expect(g.components.executes).toBe(0);
    expect(g.predFailure?.message).toContain('no such column');
  });

  it('reports a failing gold instead of throwing and scores it 0', async () => {
    const g = await grader.grade(request('SELECT nope FROM item', 'SELECT name FROM item'));
    expect(g.goldFailure?.kind).toBe('error');
    expect(g).toMatchObject({ isMatch: false, raw: 0, score: 0.05 });
  });

  it('stops a runaway prediction with a real timeout', async () => {
    const quick = createGrader({ engine, log: silentLogger(), score: config.score, gradeMaxRows: 1000, timeoutMs: 300 });
    const runaway = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n';
    const g = await quick.grade(request('SELECT 1', runaway));
    expect(g.predFailure?.kind).toBe('timeout');
    expect(g.raw).toBe(0);
  });

  it('matches two empty results', async () => {
    const g = await grader.grade(request('SELECT name FROM item WHERE id > 99', 'SELECT kind, price FROM item WHERE 0'));
    expect(g.isMatch).toBe(true);
  });
});

describe('grader modes', () => {
  const gold = "SELECT DISTINCT kind FROM item WHERE price < 3";
  const pred = 'SELECT kind FROM item WHERE price < 3';

  it('forgives a missing DISTINCT in spider mode only (stripped from both queries)', async () => {
    expect((await grader.grade(request(gold, pred, 'spider'))).isMatch).toBe(true);
    expect((await grader.grade(request(gold, pred, 'strict'))).isMatch).toBe(false);
    expect((await grader.grade(request(gold, pred))).isMatch).toBe(false);
  });

  it('uses set semantics in bird mode, so duplicates do not matter', async () => {
    expect((await grader.grade(request(gold, pred, 'bird'))).isMatch).toBe(true);
  });

  it('punishes an added DISTINCT in strict mode but not in spider mode', async () => {
    const g = 'SELECT kind FROM item';
    const p = 'SELECT DISTINCT kind FROM item';
    expect((await grader.grade(request(g, p, 'strict'))).isMatch).toBe(false);
    expect((await grader.grade(request(g, p, 'spider'))).isMatch).toBe(true);
  });

  it('honours ORDER BY in the gold in spider and strict mode, not in bird mode', async () => {
    const g = 'SELECT name FROM item ORDER BY price DESC, id';
    const p = 'SELECT name FROM item ORDER BY price ASC, id';
    expect((await grader.grade(request(g, p, 'spider'))).isMatch).toBe(false);
    expect((await grader.grade(request(g, p, 'strict'))).isMatch).toBe(false);
    expect((await grader.grade(request(g, p, 'bird'))).isMatch).toBe(true);
  });

  it('makes column order significant in bird mode only', async () => {
    const g = 'SELECT id, name FROM item';
    const p = 'SELECT name, id FROM item';
    expect((await grader.grade(request(g, p, 'bird'))).isMatch).toBe(false);
    expect((await grader.grade(request(g, p, 'spider'))).isMatch).toBe(true);
  });

  it('equates an integer column with the same values as floats', async () => {
    const g = await grader.grade(request('SELECT stock FROM item WHERE stock IS NOT NULL', 'SELECT stock * 1.0 FROM item WHERE stock IS NOT NULL'));
    expect(g.predResult?.floatCells.length).toBe(4);
    expect(g.isMatch).toBe(true);
  });

  it("rejects (int, float) rows whose Python sort keys reorder, as Spider's quick reject does", async () => {
    const g = await grader.grade(request('SELECT 1, 1.5', 'SELECT 1.0, 1.5', 'spider'));
    expect(g.isMatch).toBe(false);
    expect((await grader.grade(request('SELECT 1, 1.5', 'SELECT 1.0, 1.5', 'bird'))).isMatch).toBe(true);
  });
});

describe('grader inputs and caching', () => {
  it('reuses a given ExecResult, and re-executes one cut by the row cap', async () => {
    const full = await engine.execute('shop', 'SELECT name FROM item');
    const g = await grader.grade(request('SELECT name FROM item', full));
    expect(g.isMatch).toBe(true);
    expect(g.predResult).toBe(full);
    const capped = await engine.execute('shop', 'SELECT name FROM item', { maxRows: 2 });
    expect(capped.ok && capped.isTruncated).toBe(true);
    const regraded = await grader.grade(request('SELECT name FROM item', capped));
    expect(regraded.isMatch).toBe(true);
    expect(regraded.predResult?.rows).toHaveLength(5);
  });

  it('re-executes a given ExecResult in spider mode when stripping DISTINCT changes its SQL', async () => {
    const given = await engine.execute('shop', 'SELECT DISTINCT kind FROM item');
    const g = await grader.grade(request('SELECT kind FROM item', given, 'spider'));
    expect(g.isMatch).toBe(true);
    expect(g.predResult?.executedSql).toBe('SELECT  kind FROM item');
  });

  it('never matches a prediction cut at gradeMaxRows against an uncut gold', async () => {
    const small = createGrader({ engine, log: silentLogger(), score: config.score, gradeMaxRows: 5, timeoutMs: 5000 });
    const g = await small.grade(request('SELECT id FROM item', 'SELECT id FROM item UNION ALL SELECT 99'));
    expect(g.predResult?.isTruncated).toBe(true);
    expect(g.isMatch).toBe(false);
  });

  it('executes a gold once per (database, executed SQL) and keeps the cache bounded', async () => {
    const cached = createGrader({ engine, log: silentLogger(), score: config.score, gradeMaxRows: 100, timeoutMs: 5000, goldCacheSize: 2 });
    await cached.grade(request('SELECT id FROM item', 'SELECT id FROM item'));
    await cached.grade(request('SELECT id FROM item', 'SELECT name FROM item'));
    expect(cached.cachedGoldCount()).toBe(1);
    await cached.grade(request('SELECT id FROM item', 'SELECT id FROM item', 'spider'));
    expect(cached.cachedGoldCount()).toBe(1);
    await cached.grade(request('SELECT DISTINCT kind FROM item', 'SELECT kind FROM item', 'spider'));
    await cached.grade(request('SELECT name FROM item', 'SELECT name FROM item'));
    expect(cached.cachedGoldCount()).toBe(2);
  });

  it('runs Spider-style double-quoted strings when legacyDoubleQuotes is set', async () => {
    const g = await grader.grade({
      database: 'shop',
      goldSql: 'SELECT id FROM item WHERE name = "kale"',
      legacyDoubleQuotes: true,
      prediction: "SELECT id FROM item WHERE name = 'kale'",
      mode: 'spider',
    });
    expect(g.goldFailure).toBeUndefined();
    expect(g.isMatch).toBe(true);
  });
});

describe('grader with results answered from the engine result cache', () => {
  it('compares a repeated prediction against the same gold once, and again against another gold or mode', async () => {
    const pred = "SELECT name FROM item WHERE kind = 'fruit'";
    const first = await grader.grade(request('SELECT name FROM item', pred));
    const again = await grader.grade(request('SELECT name FROM item', pred));
    expect(again.predResult?.rows).toBe(first.predResult?.rows);
    expect(again.components).toBe(first.components);
    expect(Object.isFrozen(again.components)).toBe(true);
    expect(again).toMatchObject({ isMatch: false, raw: first.raw });
    // The same rows against another gold, and under another mode, are compared anew.
    const other = await grader.grade(request("SELECT name FROM item WHERE kind = 'fruit' ORDER BY id", pred));
    expect(other.predResult?.rows).toBe(first.predResult?.rows);
    expect(other).toMatchObject({ isMatch: true, raw: 1 });
    expect(other.components).not.toBe(first.components);
    const bird = await grader.grade(request('SELECT name FROM item', pred, 'bird'));
    expect(bird.components).not.toBe(first.components);
    expect(bird.isMatch).toBe(false);
  });

  it('compares afresh every time when the engine runs every query (SQL_RESULT_CACHE_MB=0)', async () => {
    const uncachedConfig = testConfig({ SQL_WORKERS: '1', SQL_RESULT_CACHE_MB: '0' });
    const uncached = createSqliteEngine(uncachedConfig.sql, silentLogger(), { shop: file });
    try {
      const g = createGrader({ engine: uncached, log: silentLogger(), score: uncachedConfig.score, gradeMaxRows: 1000, timeoutMs: 5000 });
      const first = await g.grade(request('SELECT name FROM item', "SELECT name FROM item WHERE kind = 'veg'"));
      const again = await g.grade(request('SELECT name FROM item', "SELECT name FROM item WHERE kind = 'veg'"));
      expect(again.predResult?.rows).not.toBe(first.predResult?.rows);
      expect(again.components).not.toBe(first.components);
      expect(again.components).toEqual(first.components);
    } finally {
      await uncached.close();
    }
  });
});
