import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExecResult, ExecSuccess } from '../../../src/env/db/engine.js';
import { formatSchemaInfo } from '../../../src/env/db/schema-info.js';
import { createSqliteEngine, type SqliteEngine } from '../../../src/env/db/sqlite-engine.js';
import { DatabaseUnavailableError } from '../../../src/errors.js';
import { runSqlEngineContract } from '../../contract/sql-engine.contract.js';
import { SQL_ENGINE_FIXTURE } from '../../contract/sql-engine-fixture.js';
import { silentLogger } from '../../helpers/logs.js';
import { SPIDER_DIR, describeSpider } from '../../helpers/spider.js';
import { testConfig } from '../../helpers/test-config.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const dir = tmpDir('sqlite-engine-');
const fixtureFile = path.join(dir, 'fixture.sqlite');

function seedFixture(): void {
  const db = new Database(fixtureFile);
  for (const sql of SQL_ENGINE_FIXTURE) db.exec(sql);
  db.close();
}
seedFixture();

/** why no result cache by default: these tests are about where and how a query runs, and a hit runs nothing. */
function makeEngine(overrides: Record<string, string> = {}): SqliteEngine {
  const cfg = testConfig({ SQL_WORKERS: '2', SQL_RESULT_CACHE_MB: '0', ...overrides });
  return createSqliteEngine(cfg.sql, silentLogger(), { fixture: fixtureFile });
}

function rowsOf(result: ExecResult): ExecSuccess {
  if (!result.ok) expect.fail(`expected rows, got ${result.kind} ${result.code}: ${result.message}`);
  return result;
}

runSqlEngineContract('SQLite engine', {
  dialect: 'sqlite',
  makeEngine: async () => ({ engine: makeEngine(), database: 'fixture' }),
});

runSqlEngineContract('SQLite engine with the result cache (as shipped)', {
  dialect: 'sqlite',
  makeEngine: async () => ({ engine: makeEngine({ SQL_RESULT_CACHE_MB: '64' }), database: 'fixture' }),
});

runSqlEngineContract('SQLite engine, every query on a worker (SQL_INLINE_BUDGET_MS=0)', {
  dialect: 'sqlite',
  makeEngine: async () => ({ engine: makeEngine({ SQL_INLINE_BUDGET_MS: '0' }), database: 'fixture' }),
});

describe('SQLite engine', () => {
  let engine: SqliteEngine;
  beforeAll(async () => {
    engine = makeEngine({ MAX_ROWS: '10', CELL_CAP_BYTES: '8' });
    await engine.warmUp();
  });
  afterAll(() => engine.close());

  it('applies the configured row and cell caps when no options are given', async () => {
    expect(rowsOf(await engine.execute('fixture', 'SELECT n FROM numbers'))).toMatchObject({ rowCount: 10, isTruncated: true });
    const cell = rowsOf(await engine.execute('fixture', 'SELECT name FROM singer WHERE singer_id = 1'));
    expect(cell).toMatchObject({ rows: [['Joe Shar']], hasTruncatedCells: true });
  });

  it('returns BLOBs as \\x-hex strings, capped by their bytes', async () => {
    const blobs = rowsOf(await engine.execute('fixture', "SELECT x'00ff10', zeroblob(2), x''"));
    expect(blobs).toMatchObject({ rows: [['\\x00ff10', '\\x0000', '\\x']], hasTruncatedCells: false });
    const capped = rowsOf(await engine.execute('fixture', 'SELECT zeroblob(100)'));
    expect(capped).toMatchObject({ rows: [[`\\x${'00'.repeat(8)}`]], hasTruncatedCells: true });
  });

  it('tells REAL 3.0 apart from INTEGER 3 through floatCells', async () => {
    const result = rowsOf(await engine.execute('fixture', 'SELECT 3, 3.0, CAST(3 AS REAL), 2.5, 7 / 2'));
    expect(result.rows).toEqual([[3, 3, 3, 2.5, 3]]);
    expect(result.floatCells).toEqual([1, 2]);
  });

  it('stops an endless cross join at the timeout', async () => {
    const result = await engine.execute('fixture', 'SELECT count(*) FROM numbers a, numbers b, numbers c', { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, kind: 'timeout', code: 'TIMEOUT' });
  });

  it('survives randomblob(1e9) and an allocation past the heap limit, then serves the next query', async () => {
    for (const sql of ['SELECT length(randomblob(1e9))', 'SELECT length(randomblob(600000000))']) {
      const result = await engine.execute('fixture', sql);
      expect(result.ok).toBe(false);
      expect(result).toMatchObject({ kind: 'error' });
    }
    expect(rowsOf(await engine.execute('fixture', 'SELECT 1')).rows).toEqual([[1]]);
  });

  it('refuses a result too large to copy to the server, as a value', async () => {
    const sql = 'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 2000) SELECT zeroblob(100000) FROM c';
    const result = await engine.execute('fixture', sql, { maxRows: 100_000, cellCapBytes: 1_000_000 });
    expect(result).toMatchObject({ ok: false, kind: 'error', code: 'RESULT_TOO_LARGE' });
    expect(rowsOf(await engine.execute('fixture', 'SELECT 5')).rows).toEqual([[5]]);
  });

  it('replaces killed workers and keeps serving', async () => {
    const before = engine.workerPids();
    expect(before).toHaveLength(2);
    for (const pid of before) process.kill(pid, 'SIGKILL');
    await vi.waitFor(() => expect(engine.workerPids().some((pid) => before.includes(pid))).toBe(false));
    expect(rowsOf(await engine.execute('fixture', 'SELECT 42')).rows).toEqual([[42]]);
    // A query too slow for the main thread's budget needs a worker: the pool is back to SQL_WORKERS of them.
    const slow = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 2000000) SELECT count(*) FROM r';
    expect(rowsOf(await engine.execute('fixture', slow)).rows).toEqual([[2_000_000]]);
    expect(engine.workerPids()).toHaveLength(2);
  });

  it('fails the query of a worker that dies mid-query with a clear error, then keeps serving', async () => {
    await engine.warmUp();
    const running = engine.execute('fixture', 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r');
    const killed = engine.workerPids();
    for (const pid of killed) process.kill(pid, 'SIGKILL');
    const result = await running;
    expect(result).toMatchObject({ ok: false, kind: 'error', code: 'WORKER_CRASHED' });
    expect(result.ok ? '' : result.message).toContain('SIGKILL');
    // why: the other killed worker's exit may not have been noticed yet; a query sent to it would fail too.
    await vi.waitFor(() => expect(engine.workerPids().filter((pid) => killed.includes(pid))).toEqual([]), { timeout: 10_000 });
    expect(rowsOf(await engine.execute('fixture', 'SELECT 7')).rows).toEqual([[7]]);
  });

  it('sends one worker several queued queries at once and still times each alone: a runaway fails, the ones behind it succeed', async () => {
    const single = makeEngine({ SQL_WORKERS: '1' });
    await single.warmUp();
    const runaway = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';
    // why the SELECT 0 first: it keeps the worker busy while the rest queue up, so the next message carries a batch.
    const [, stuck, ...behind] = await Promise.all([
      single.execute('fixture', 'SELECT 0'),
      single.execute('fixture', runaway, { timeoutMs: 400 }),
      ...[1, 2, 3, 4, 5].map((n) => single.execute('fixture', `SELECT ${n}`, { timeoutMs: 400 })),
    ]);
    expect(stuck).toMatchObject({ ok: false, kind: 'timeout', code: 'TIMEOUT' });
    expect(behind.map((r) => rowsOf(r).rows)).toEqual([[[1]], [[2]], [[3]], [[4]], [[5]]]);
    await single.close();
  });

  it('answers every query of a pipelined burst with its own result', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, n) => engine.execute('fixture', `SELECT ${n}, 'q${n}'`)));
    expect(results.map((r) => rowsOf(r).rows[0])).toEqual(Array.from({ length: 40 }, (_, n) => [n, `q${n}`]));
  });

  it('reads the schema once and serves it from the cache', async () => {
    const first = await engine.schema('fixture');
    expect(await engine.schema('fixture')).toBe(first);
  });

  it('refuses to register a database whose file does not exist', () => {
    expect(() => engine.addDatabase('ghost', path.join(dir, 'ghost.sqlite'))).toThrow(DatabaseUnavailableError);
    expect(engine.databases()).toEqual(['fixture']);
  });

  describe('slow queries', () => {
    const RUNAWAY = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';
    /** Settles with the result and records when it did, so tests can assert what was answered before what. */
    function tracked(result: Promise<ExecResult>, order: string[], name: string): Promise<ExecResult> {
      return result.finally(() => order.push(name));
    }

    it('answers quick queries while a runaway one holds the only place, on a new worker, with the slow one at low priority', async () => {
      const pool = makeEngine({ SQL_WORKERS: '1', SQL_MAX_WORKERS: '2', SQL_SLOW_MS: '50' });
      await pool.warmUp();
      const [slowPid] = pool.workerPids();
      const order: string[] = [];
      const runaway = tracked(pool.execute('fixture', RUNAWAY, { timeoutMs: 5000 }), order, 'runaway');
      // Once slow, its worker runs at a lower priority (a higher niceness) than the server.
      await vi.waitFor(() => expect(os.getPriority(slowPid)).toBeGreaterThan(os.getPriority()));
      const quick = await Promise.all([1, 2, 3].map((n) => tracked(pool.execute('fixture', `SELECT ${n}`), order, `quick ${n}`)));
      expect(quick.map((r) => rowsOf(r).rows)).toEqual([[[1]], [[2]], [[3]]]);
      expect(await runaway).toMatchObject({ ok: false, code: 'TIMEOUT' });
      expect(order).toEqual(['quick 1', 'quick 2', 'quick 3', 'runaway']);
      // Its place was taken already: the pool is back to one worker, not the slow one.
      expect(pool.workerPids()).toHaveLength(1);
      expect(pool.workerPids()).not.toContain(slowPid);
      await pool.close();
    }, 30_000);

    it('moves the queries sent behind a slow one to another worker, each answered once with its own result', async () => {
      const pool = makeEngine({ SQL_WORKERS: '1', SQL_MAX_WORKERS: '2', SQL_SLOW_MS: '50' });
      await pool.warmUp();
      const order: string[] = [];
      // why the SELECT 0 first: it keeps the worker busy while the rest queue up, so the next message carries the
      // runaway with three queries behind it.
      const first = pool.execute('fixture', 'SELECT 0');
      const runaway = tracked(pool.execute('fixture', RUNAWAY, { timeoutMs: 5000 }), order, 'runaway');
      const behind = [1, 2, 3, 4, 5].map((n) => tracked(pool.execute('fixture', `SELECT ${n}, 'q${n}'`), order, `q${n}`));
      expect(rowsOf(await first).rows).toEqual([[0]]);
      expect((await Promise.all(behind)).map((r) => rowsOf(r).rows)).toEqual([1, 2, 3, 4, 5].map((n) => [[n, `q${n}`]]));
      expect(await runaway).toMatchObject({ ok: false, code: 'TIMEOUT' });
      expect(order.at(-1)).toBe('runaway');
      await pool.close();
    }, 30_000);

    it('ends the worker of a slow query that finishes, and keeps SQL_WORKERS places', async () => {
      const pool = makeEngine({ SQL_WORKERS: '1', SQL_MAX_WORKERS: '3', SQL_SLOW_MS: '20' });
      await pool.warmUp();
      const [slowPid] = pool.workerPids();
      const slow = await pool.execute('fixture', 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3000000) SELECT count(*) FROM r');
      expect(rowsOf(slow).rows).toEqual([[3_000_000]]);
      expect(rowsOf(await pool.execute('fixture', 'SELECT 9')).rows).toEqual([[9]]);
      expect(pool.workerPids()).toHaveLength(1);
      expect(pool.workerPids()).not.toContain(slowPid);
      await pool.close();
    });

    it.each([
      { how: 'waits for a place when every query runs on a worker', inlineBudgetMs: '0', order: ['runaway', 'quick'] },
      { how: 'is answered on the main thread at once', inlineBudgetMs: '1', order: ['quick', 'runaway'] },
    ])('at SQL_MAX_WORKERS, a quick query $how', async ({ inlineBudgetMs, order: expected }) => {
      const pool = makeEngine({ SQL_WORKERS: '1', SQL_MAX_WORKERS: '1', SQL_SLOW_MS: '50', SQL_INLINE_BUDGET_MS: inlineBudgetMs });
      await pool.warmUp();
      const order: string[] = [];
      const runaway = tracked(pool.execute('fixture', RUNAWAY, { timeoutMs: 1000 }), order, 'runaway');
      const quick = tracked(pool.execute('fixture', 'SELECT 1'), order, 'quick');
      expect(await runaway).toMatchObject({ ok: false, code: 'TIMEOUT' });
      expect(rowsOf(await quick).rows).toEqual([[1]]);
      expect(order).toEqual(expected);
      await pool.close();
    });
  });

  it('rejects queries once closed, and closing twice is harmless', async () => {
    const closing = makeEngine();
    await closing.execute('fixture', 'SELECT 1');
    await closing.close();
    await closing.close();
    expect(closing.workerPids()).toEqual([]);
    await expect(closing.execute('fixture', 'SELECT 1')).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });
});

describeSpider('SQLite engine on Spider databases', () => {
  let engine: SqliteEngine;
  const farm = path.join(SPIDER_DIR, 'database/farm/farm.sqlite');
  const goldWithDoubleQuotes = 'SELECT Census_Ranking FROM city WHERE Status != "Village"';
  beforeAll(() => {
    engine = makeEngine();
    engine.addDatabase('farm', farm);
  });
  afterAll(() => engine.close());

  it('fails a double-quoted string literal as SQLite compiled with SQLITE_DQS=0 does', async () => {
    const result = await engine.execute('farm', goldWithDoubleQuotes);
    expect(result).toMatchObject({ ok: false, kind: 'error', code: 'SQLITE_ERROR' });
    expect(result.ok ? '' : result.message).toContain('no such column');
  });

  it('reads "Village" as a string with legacyDoubleQuotes, as Python sqlite3 does, and reports the SQL it ran', async () => {
    const result = rowsOf(await engine.execute('farm', goldWithDoubleQuotes, { legacyDoubleQuotes: true }));
    expect(result.rows).toEqual([['636 of 5008']]);
    expect(result.executedSql).toBe("SELECT Census_Ranking FROM city WHERE Status != 'Village'");
  });

  it('keeps double-quoted names that are real columns as identifiers under legacyDoubleQuotes', async () => {
    const sql = 'SELECT "Official_Name" FROM city WHERE "Status" = "Town" ORDER BY "City_ID"';
    const result = rowsOf(await engine.execute('farm', sql, { legacyDoubleQuotes: true }));
    expect(result.rows).toEqual([['Grand Falls/Grand-Sault']]);
    expect(result.executedSql).toBe(`SELECT "Official_Name" FROM city WHERE "Status" = 'Town' ORDER BY "City_ID"`);
  });

  it('describes a real schema with composite keys and foreign keys, and truncates schema_info visibly', async () => {
    const schema = await engine.schema('farm');
    expect(schema.tables.map((t) => t.name)).toEqual(['city', 'competition_record', 'farm', 'farm_competition']);
    const record = schema.tables.find((t) => t.name === 'competition_record');
    expect(record?.primaryKey).toEqual(['Competition_ID', 'Farm_ID']);
    expect(record?.foreignKeys).toContainEqual({ fromTable: 'competition_record', fromColumn: 'Farm_ID', toTable: 'farm', toColumn: 'Farm_ID' });
    const info = formatSchemaInfo(schema, 1500);
    expect(info.length).toBeLessThanOrEqual(1500);
    expect(info).toContain('3 rows from city table:\nCity_ID\tOfficial_Name\tStatus');
    expect(info).toMatch(/schema_info truncated to 1500 of \d+ characters: 3 of 4 tables shown in full \*\/$/);
  });
});
