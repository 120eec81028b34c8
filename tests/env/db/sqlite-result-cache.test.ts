import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecResult, ExecSuccess } from '../../../src/env/db/engine.js';
import { createSqliteEngine, type SqliteEngine } from '../../../src/env/db/sqlite-engine.js';
import { createResultCache } from '../../../src/env/db/sqlite-result-cache.js';
import type { QueryJob, QueryRows } from '../../../src/env/db/sqlite-query.js';
import { silentLogger } from '../../helpers/logs.js';
import { testConfig } from '../../helpers/test-config.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const dir = tmpDir('sqlite-result-cache-');

/** A database file with one table t(v) holding `values`. */
function databaseFile(name: string, values: number[]): string {
  const file = path.join(dir, `${name}.sqlite`);
  fs.rmSync(file, { force: true });
  const db = new Database(file);
  db.exec('CREATE TABLE t (v INTEGER)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  for (const v of values) insert.run(v);
  db.close();
  return file;
}

const engines: SqliteEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function makeEngine(files: Record<string, string>, overrides: Record<string, string> = {}): SqliteEngine {
  const engine = createSqliteEngine(testConfig({ SQL_WORKERS: '1', ...overrides }).sql, silentLogger(), files);
  engines.push(engine);
  return engine;
}

function rowsOf(result: ExecResult): ExecSuccess {
  if (!result.ok) expect.fail(`expected rows, got ${result.kind} ${result.code}: ${result.message}`);
  return result;
}

describe('SQLite result cache in the engine', () => {
  it('answers a text it ran before from memory, with the same rows, shared and frozen', async () => {
    const engine = makeEngine({ db: databaseFile('same', [1, 2, 3]) });
    const first = rowsOf(await engine.execute('db', 'SELECT SUM(v) AS s FROM t'));
    expect(engine.resultCacheStats()).toMatchObject({ hits: 0, misses: 1, entries: 1 });
    const second = rowsOf(await engine.execute('db', 'SELECT SUM(v) AS s FROM t'));
    expect(engine.resultCacheStats()).toMatchObject({ hits: 1, misses: 1, entries: 1 });
    expect(second).toMatchObject({ columns: ['s'], rows: [[6]], rowCount: 1, isTruncated: false });
    expect(second.rows).toBe(first.rows);
    expect(() => second.rows.push([7])).toThrow(TypeError);
    expect(() => (second.rows[0] as unknown[]).splice(0, 1)).toThrow(TypeError);
    // The inline runner ran it once: the hit never reached it.
    expect(engine.inlineStats()?.answered).toBe(1);
  });

  it('keeps a result per row cap, cell cap, double-quote mode and time limit', async () => {
    const engine = makeEngine({ db: databaseFile('options', [1, 2, 3]) });
    const sql = 'SELECT v FROM t ORDER BY v';
    expect(rowsOf(await engine.execute('db', sql, { maxRows: 2 })).rows).toEqual([[1], [2]]);
    expect(rowsOf(await engine.execute('db', sql, { maxRows: 3 })).rows).toEqual([[1], [2], [3]]);
    await engine.execute('db', sql, { maxRows: 3, cellCapBytes: 4 });
    await engine.execute('db', sql, { maxRows: 3, legacyDoubleQuotes: true });
    await engine.execute('db', sql, { maxRows: 3, timeoutMs: 4000 });
    expect(engine.resultCacheStats()).toMatchObject({ hits: 0, misses: 5, entries: 5 });
    expect(rowsOf(await engine.execute('db', sql, { maxRows: 2 })).rows).toEqual([[1], [2]]);
    expect(engine.resultCacheStats()).toMatchObject({ hits: 1, entries: 5 });
  });

  it('never keeps a text that reads the clock or a random number, and runs it every time', async () => {
    const engine = makeEngine({ db: databaseFile('volatile', [1]) });
    const draws = new Set<unknown>();
    for (let i = 0; i < 3; i++) draws.add(rowsOf(await engine.execute('db', 'SELECT random() AS r FROM t')).rows[0]?.[0]);
    expect(draws.size).toBe(3);
    await engine.execute('db', "SELECT strftime('%s', 'now') FROM t");
    await engine.execute('db', 'SELECT CURRENT_TIMESTAMP');
    expect(engine.resultCacheStats()).toMatchObject({ hits: 0, entries: 0 });
  });

  it('keeps no failure: a wrong query, a rejected one and a timed-out one run again', async () => {
    const engine = makeEngine({ db: databaseFile('failures', [1]) });
    for (let i = 0; i < 2; i++) {
      expect(await engine.execute('db', 'SELECT nope FROM t')).toMatchObject({ ok: false, kind: 'error' });
      expect(await engine.execute('db', 'DELETE FROM t')).toMatchObject({ ok: false, kind: 'rejected' });
      const runaway = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c';
      expect(await engine.execute('db', runaway, { timeoutMs: 150 })).toMatchObject({ ok: false, kind: 'timeout' });
    }
    expect(engine.resultCacheStats()).toMatchObject({ hits: 0, entries: 0 });
  });

  it('forgets its results when a database name is given another file', async () => {
    const engine = makeEngine({ db: databaseFile('before', [1]) });
    expect(rowsOf(await engine.execute('db', 'SELECT SUM(v) FROM t')).rows).toEqual([[1]]);
    engine.addDatabase('db', databaseFile('after', [40, 2]));
    expect(rowsOf(await engine.execute('db', 'SELECT SUM(v) FROM t')).rows).toEqual([[42]]);
  });

  it('is off with SQL_RESULT_CACHE_MB=0: every run reaches the database', async () => {
    const engine = makeEngine({ db: databaseFile('off', [5]) }, { SQL_RESULT_CACHE_MB: '0' });
    for (let i = 0; i < 3; i++) expect(rowsOf(await engine.execute('db', 'SELECT v FROM t')).rows).toEqual([[5]]);
    expect(engine.resultCacheStats()).toBeUndefined();
    expect(engine.inlineStats()?.answered).toBe(3);
  });
});

describe('SQLite result cache bounds', () => {
  const job = (sql: string): QueryJob => ({ file: '/db.sqlite', sql, maxRows: 100, cellCapBytes: 1000, isLegacyDoubleQuotes: false });
  const rows = (cells: number, text: string): QueryRows => ({
    ok: true,
    columns: ['c'],
    rows: Array.from({ length: cells }, () => [text]),
    isTruncated: false,
    hasTruncatedCells: false,
    floatCells: [],
    executedSql: 'SELECT c',
  });

  it('stays under its size, dropping the least recently used, and skips a result larger than an eighth of it', () => {
    const cache = createResultCache(64 * 1024);
    if (cache === undefined) expect.fail('a cache of 64 KiB is on');
    for (let i = 0; i < 200; i++) cache.set(job(`SELECT ${i}`), 5000, rows(10, 'x'.repeat(40)));
    const { entries, bytes } = cache.stats();
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    expect(entries).toBeGreaterThan(10);
    expect(entries).toBeLessThan(200);
    expect(cache.get(job('SELECT 199'), 5000)).toBeDefined();
    expect(cache.get(job('SELECT 0'), 5000)).toBeUndefined();
    const huge = rows(100, 'y'.repeat(100));
    cache.set(job('SELECT huge'), 5000, huge);
    expect(cache.get(job('SELECT huge'), 5000)).toBeUndefined();
    // Not kept, so still the caller's own to change; a kept one is frozen.
    expect(Object.isFrozen(huge.rows)).toBe(false);
    expect(Object.isFrozen(cache.get(job('SELECT 199'), 5000)?.rows)).toBe(true);
    expect(createResultCache(0)).toBeUndefined();
  });
});
