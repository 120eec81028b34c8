/**
 * The behaviour every SqlEngine owes its callers, whatever the dialect. A caller seeds SQL_ENGINE_FIXTURE
 * (tests/contract/sql-engine-fixture.ts) into a fresh database, then calls runSqlEngineContract from a test file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect, ExecResult, ExecSuccess, SqlEngine, SqlFailure } from '../../src/env/db/engine.js';
import { formatSchemaInfo } from '../../src/env/db/schema-info.js';
import { UnknownDatabaseError } from '../../src/errors.js';
import { NUMBERS_ROW_COUNT, SINGER_ROWS } from './sql-engine-fixture.js';

export interface SqlEngineContractSetup {
  dialect: Dialect;
  /** An engine (at least 2 concurrent queries) that reaches the seeded fixture as `database`. */
  makeEngine(): Promise<{ engine: SqlEngine; database: string }>;
}

const RUNAWAY_SQL = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';

export const REFUSED_STATEMENTS: readonly [sql: string, named: string][] = [
  ["INSERT INTO singer (singer_id, name) VALUES (9, 'x')", 'INSERT'],
  ['UPDATE singer SET age = 1', 'UPDATE'],
  ['DELETE FROM singer', 'DELETE'],
  ['DROP TABLE song', 'DROP'],
  ['CREATE TABLE t (x INTEGER)', 'CREATE'],
  ['ALTER TABLE singer ADD COLUMN x INTEGER', 'ALTER'],
  ['TRUNCATE singer', 'TRUNCATE'],
  ["ATTACH DATABASE '/tmp/x.db' AS x", 'ATTACH'],
  ['DETACH DATABASE x', 'DETACH'],
  ['PRAGMA writable_schema = 1', 'PRAGMA'],
  ['VACUUM', 'VACUUM'],
  ["COPY singer TO '/tmp/x.csv'", 'COPY'],
  ["SET search_path = 'x'", 'SET'],
  ['BEGIN', 'BEGIN'],
  ['COMMIT', 'COMMIT'],
  ['ROLLBACK', 'ROLLBACK'],
  ['SAVEPOINT s', 'SAVEPOINT'],
  ['EXPLAIN SELECT 1', 'EXPLAIN'],
  ['SELECT 1; SELECT 2', 'More than one statement'],
  ['SELECT name FROM singer; DELETE FROM singer', 'More than one statement'],
  ['', 'empty'],
  ['  ;  -- nothing here', 'empty'],
  ['WITH gone AS (DELETE FROM singer RETURNING *) SELECT * FROM gone', 'DELETE'],
  ['SELECT * FROM singer FOR UPDATE', 'FOR UPDATE/SHARE'],
  ['SELECT * INTO singer_copy FROM singer', 'INTO'],
  ["SELECT load_extension('/tmp/evil')", 'load_extension()'],
  ["SELECT pg_read_file('/etc/passwd')", 'pg_read_file()'],
];

function expectRows(result: ExecResult): ExecSuccess {
  if (!result.ok) expect.fail(`expected rows, got ${result.kind} ${result.code}: ${result.message}`);
  return result;
}

function expectFailure(result: ExecResult, kind: SqlFailure['kind']): SqlFailure {
  if (result.ok) expect.fail(`expected a ${kind} failure, got ${result.rowCount} rows`);
  expect(result.kind).toBe(kind);
  return result;
}

/** Registers the SqlEngine contract suite for one engine. */
export function runSqlEngineContract(name: string, setup: SqlEngineContractSetup): void {
  describe(`${name}: SqlEngine contract`, () => {
    let engine: SqlEngine;
    let database: string;
    const run = (sql: string, options?: Parameters<SqlEngine['execute']>[2]) => engine.execute(database, sql, options);

    beforeAll(async () => {
      ({ engine, database } = await setup.makeEngine());
    });
    afterAll(async () => {
      await engine.close();
    });

    it('reports its dialect and lists the fixture database', () => {
      expect(engine.dialect).toBe(setup.dialect);
      expect(engine.databases()).toContain(database);
    });

    it('returns columns, rows and counts of a SELECT', async () => {
      const result = expectRows(await run('SELECT singer_id, name, age FROM singer ORDER BY singer_id'));
      expect(result.columns).toEqual(['singer_id', 'name', 'age']);
      expect(result.rows).toEqual(SINGER_ROWS.map((r) => [r[0], r[1], r[3]]));
      expect(result).toMatchObject({ rowCount: 4, isTruncated: false, hasTruncatedCells: false, floatCells: [] });
      expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
    });

    it('marks integral floating-point values in floatCells, and only those', async () => {
      const result = expectRows(await run('SELECT singer_id, net_worth FROM singer ORDER BY singer_id'));
      expect(result.rows.map((r) => r[1])).toEqual([30, 28.5, null, 12.25]);
      expect(result.floatCells).toEqual([1]);
    });

    it('returns integers beyond 2^53 as exact decimal strings and smaller ones as numbers', async () => {
      const result = expectRows(await run('SELECT 9007199254740993 AS big, 9007199254740991 AS safe, -42 AS neg'));
      expect(result.rows).toEqual([['9007199254740993', 9007199254740991, -42]]);
    });

    it('round-trips non-ASCII text and NULL', async () => {
      const result = expectRows(await run('SELECT name, net_worth FROM singer WHERE singer_id = 3'));
      expect(result.rows).toEqual([['Zoë Ünal', null]]);
    });

    it('runs VALUES and parenthesis-free WITH queries', async () => {
      expect(expectRows(await run("VALUES (1, 'a'), (2, 'b')")).rows).toEqual([[1, 'a'], [2, 'b']]);
      const withResult = expectRows(await run('WITH s AS (SELECT name FROM singer WHERE age > 40) SELECT count(*) AS c FROM s'));
      expect(withResult.rows).toEqual([[2]]);
    });

    it('strips trailing semicolons and comments and reports the SQL it ran', async () => {
      const result = expectRows(await run('SELECT 1 AS one;  ; -- bye'));
      expect(result.rows).toEqual([[1]]);
      expect(result.executedSql).toBe('SELECT 1 AS one');
    });

    it('is not fooled by keywords and semicolons inside strings, comments and longer identifiers', async () => {
      const sql = "SELECT last_update FROM singer /* DELETE; */ WHERE name = 'O''Brien; DROP TABLE song; --' -- ; DROP";
      expect(expectRows(await run(sql)).rows).toEqual([['2023-03-03']]);
      const commentInString = expectRows(await run("SELECT title FROM song WHERE title LIKE '%/* not%'"));
      expect(commentInString.rows).toEqual([['Dance /* not a comment */']]);
    });

    it.each(REFUSED_STATEMENTS)('refuses %j and says why (%s)', async (sql, named) => {
      const failure = expectFailure(await run(sql), 'rejected');
      expect(failure).toMatchObject({ code: 'REJECTED', dialect: setup.dialect });
      expect(failure.message).toContain(named);
      expect(failure.message).toContain('only one read-only SELECT/WITH/VALUES statement per call');
    });

    it('leaves the data untouched after every refusal', async () => {
      for (const [sql] of REFUSED_STATEMENTS) await run(sql);
      expect(expectRows(await run('SELECT count(*) FROM singer')).rows).toEqual([[4]]);
      expect(expectRows(await run('SELECT count(*) FROM song')).rows).toEqual([[3]]);
    });

    it('returns an SQL error as a value with the dialect code and message', async () => {
      const failure = expectFailure(await run('SELECT no_such_column FROM singer'), 'error');
      expect(failure.dialect).toBe(setup.dialect);
      expect(failure.code).not.toMatch(/^(REJECTED|TIMEOUT|)$/);
      expect(failure.message).toContain('no_such_column');
    });

    it('keeps maxRows rows and flags that more existed', async () => {
      const capped = expectRows(await run('SELECT n FROM numbers ORDER BY n', { maxRows: 1000 }));
      expect(capped).toMatchObject({ rowCount: 1000, isTruncated: true });
      expect(capped.rows.at(-1)).toEqual([1000]);
      const exact = expectRows(await run('SELECT n FROM numbers ORDER BY n', { maxRows: NUMBERS_ROW_COUNT }));
      expect(exact).toMatchObject({ rowCount: NUMBERS_ROW_COUNT, isTruncated: false });
    });

    it('cuts text cells at cellCapBytes UTF-8 bytes without splitting a character, and flags it', async () => {
      const sql = 'SELECT name FROM singer WHERE singer_id = 3';
      expect(expectRows(await run(sql, { cellCapBytes: 3 }))).toMatchObject({ rows: [['Zo']], hasTruncatedCells: true });
      expect(expectRows(await run(sql, { cellCapBytes: 4 }))).toMatchObject({ rows: [['Zoë']], hasTruncatedCells: true });
      expect(expectRows(await run(sql, { cellCapBytes: 10 }))).toMatchObject({ rows: [['Zoë Ünal']], hasTruncatedCells: false });
    });

    it('stops a runaway query at the timeout while a concurrent query is still served', async () => {
      const [runaway, normal] = await Promise.all([
        run(RUNAWAY_SQL, { timeoutMs: 500 }),
        run('SELECT count(*) FROM numbers'),
      ]);
      const failure = expectFailure(runaway, 'timeout');
      expect(failure.code).toBe('TIMEOUT');
      expect(failure.message).toContain('500 ms');
      expect(expectRows(normal).rows).toEqual([[NUMBERS_ROW_COUNT]]);
      expect(expectRows(await run('SELECT 2 AS two')).rows).toEqual([[2]]);
    });

    it('describes tables, columns, keys and sample rows', async () => {
      const schema = await engine.schema(database);
      expect(schema).toMatchObject({ dialect: setup.dialect, database });
      const singer = schema.tables.find((t) => t.name === 'singer');
      const song = schema.tables.find((t) => t.name === 'song');
      expect(schema.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['numbers', 'singer', 'song']));
      expect(singer?.columns.map((c) => c.name)).toEqual(['singer_id', 'name', 'country', 'age', 'net_worth', 'last_update']);
      expect(singer?.columns.map((c) => c.type)).toEqual(['INTEGER', 'TEXT', 'TEXT', 'INTEGER', 'DOUBLE PRECISION', 'TEXT']);
      expect(singer?.columns.find((c) => c.name === 'name')).toMatchObject({ isNotNull: true, isPrimaryKey: false });
      expect(singer?.columns.find((c) => c.name === 'singer_id')).toMatchObject({ isPrimaryKey: true });
      expect(singer?.primaryKey).toEqual(['singer_id']);
      expect(song?.foreignKeys).toEqual([{ fromTable: 'song', fromColumn: 'singer_id', toTable: 'singer', toColumn: 'singer_id' }]);
      expect(singer?.createSql).toMatch(/CREATE TABLE[\s\S]*singer/i);
      expect(singer?.sampleRows).toHaveLength(3);
      expect(singer?.sampleRows.every((r) => r.length === 6)).toBe(true);
    });

    it('formats the schema as LangChain-style schema_info', async () => {
      const info = formatSchemaInfo(await engine.schema(database), 100_000);
      expect(info).toContain('3 rows from singer table:\nsinger_id\tname\tcountry\tage\tnet_worth\tlast_update\n');
      expect(info).toMatch(/CREATE TABLE[\s\S]*song/i);
      expect(info).not.toContain('truncated');
    });

    it('throws UnknownDatabaseError for a database it does not have', async () => {
      await expect(engine.execute('no_such_db_xyz', 'SELECT 1')).rejects.toBeInstanceOf(UnknownDatabaseError);
      await expect(engine.schema('no_such_db_xyz')).rejects.toBeInstanceOf(UnknownDatabaseError);
    });
  });
}
