import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExecResult, ExecSuccess, SqlFailure } from '../../../src/env/db/engine.js';
import { createPgEngine, type PgEngine, type PgEngineConfig } from '../../../src/env/db/pg-engine.js';
import { DatabaseUnavailableError, UnknownDatabaseError } from '../../../src/errors.js';
import { runSqlEngineContract } from '../../contract/sql-engine.contract.js';
import { SQL_ENGINE_FIXTURE } from '../../contract/sql-engine-fixture.js';
import { memoryLogger, silentLogger } from '../../helpers/logs.js';
import { PG_TEST_URL, describePg, isPgAvailable, uniqueSchema } from '../../helpers/pg.js';
import { testConfig } from '../../helpers/test-config.js';

const schema = uniqueSchema('engine_pg');
const contractSchema = uniqueSchema('contract_pg');

const SETUP_SQL = `
CREATE SCHEMA ${schema};
SET search_path TO ${schema};
CREATE TABLE singer (
  singer_id bigint PRIMARY KEY, name text NOT NULL, "Country" text, net_worth numeric(10, 2), rating double precision,
  born date, seen timestamp, seen_tz timestamptz, photo bytea, is_active boolean);
CREATE TABLE concert (concert_id integer PRIMARY KEY, singer_id bigint REFERENCES singer (singer_id), year integer);
INSERT INTO singer VALUES
  (1, 'Joe', 'NL', 30.50, 4.0, '1970-01-02', '2020-01-02 03:04:05.5', '2020-01-02 05:04:05+02', '\\xdead', true),
  (2, 'Ann', 'US', 12.00, 3.5, '1980-12-31', '2021-06-30 00:00:00', '2021-06-30 00:00:00+00', NULL, false),
  (3, 'Zoë', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 'Bob', 'IE', 1.25, 2.0, '1999-09-09', NULL, NULL, NULL, NULL);
INSERT INTO concert VALUES (1, 1, 2014), (2, 2, 2015);
CREATE FUNCTION bump() RETURNS integer LANGUAGE sql AS 'INSERT INTO concert VALUES (99, 1, 2000) RETURNING 1';
`;

const admin = new pg.Client({ connectionString: PG_TEST_URL });

function engineConfig(overrides: Partial<PgEngineConfig> = {}): PgEngineConfig {
  return { ...testConfig().sql, databaseUrl: PG_TEST_URL, pgPoolSize: 4, timeoutMs: 3000, ...overrides };
}

function rowsOf(result: ExecResult): ExecSuccess {
  if (!result.ok) expect.fail(`expected rows, got ${result.kind} ${result.code}: ${result.message}`);
  return result;
}

function failureOf(result: ExecResult): SqlFailure {
  if (result.ok) expect.fail(`expected a failure, got ${result.rowCount} rows`);
  return result;
}

if (isPgAvailable) {
  beforeAll(async () => {
    await admin.connect();
    await admin.query(SETUP_SQL);
    await admin.query(`CREATE SCHEMA ${contractSchema}; SET search_path TO ${contractSchema}`);
    for (const sql of SQL_ENGINE_FIXTURE) await admin.query(sql);
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${contractSchema} CASCADE`);
    await admin.end();
  });

  runSqlEngineContract('PostgreSQL engine', {
    dialect: 'postgres',
    makeEngine: async () => ({ engine: await createPgEngine(engineConfig(), silentLogger()), database: contractSchema }),
  });
}

describePg('PostgreSQL engine', () => {
  let engine: PgEngine;
  const run = (sql: string, options?: Parameters<PgEngine['execute']>[2]) => engine.execute(schema, sql, options);

  beforeAll(async () => {
    engine = await createPgEngine(engineConfig(), silentLogger(), { applicationName: `test_${schema}` });
  });
  afterAll(() => engine.close());

  it('lists user schemas as databases, never the system ones', () => {
    expect(engine.databases()).toContain(schema);
    expect(engine.databases()).not.toContain('pg_catalog');
    expect(engine.databases()).not.toContain('information_schema');
  });

  it('finds a schema created after start on demand', async () => {
    const late = `${schema}_late`;
    await admin.query(`CREATE SCHEMA ${late}; CREATE TABLE ${late}.t (x integer); INSERT INTO ${late}.t VALUES (7)`);
    try {
      expect(rowsOf(await engine.execute(late, 'SELECT x FROM t')).rows).toEqual([[7]]);
    } finally {
      await admin.query(`DROP SCHEMA ${late} CASCADE`);
    }
  });

  it('resolves unqualified names in the requested schema only', async () => {
    expect(rowsOf(await run('SELECT count(*) FROM concert')).rows).toEqual([[2]]);
    await expect(engine.execute('no_such_schema_xyz', 'SELECT 1')).rejects.toBeInstanceOf(UnknownDatabaseError);
  });

  it('keeps a write hidden in a function read-only (25006), even though the statement guard lets it through', async () => {
    const failure = failureOf(await run('SELECT bump()'));
    expect(failure).toMatchObject({ kind: 'error', code: '25006' });
    expect(failure.message).toContain('read-only transaction');
    expect(rowsOf(await run('SELECT count(*) FROM concert')).rows).toEqual([[2]]);
  });

  it('canonicalises int8, numeric, floats, booleans, dates, timestamps and bytea', async () => {
    const result = rowsOf(await run('SELECT singer_id, net_worth, rating, is_active, born, seen, seen_tz, photo FROM singer WHERE singer_id = 1'));
    expect(result.rows).toEqual([[1, 30.5, 4, 1, '1970-01-02', '2020-01-02 03:04:05.5', '2020-01-02 03:04:05+00', '\\xdead']]);
    expect(result.floatCells).toEqual([2]);
  });

  it('flags integral float, real and decimal-point numeric values as floats, but not integer sums', async () => {
    const sql = 'SELECT 3.0::float8, 2.5::float8, 4::numeric, 4.00::numeric, avg(x), sum(x::int8), 7, 2::real FROM (VALUES (1), (3)) v(x)';
    const result = rowsOf(await run(sql));
    expect(result.rows).toEqual([[3, 2.5, 4, 4, 2, 4, 7, 2]]);
    expect(result.floatCells).toEqual([0, 3, 4, 7]);
  });

  it('returns SQLSTATE, position and the "Perhaps you meant" hint of a misspelt column', async () => {
    const failure = failureOf(await run('SELECT s.nam FROM singer s'));
    expect(failure).toMatchObject({ kind: 'error', dialect: 'postgres', code: '42703', position: 8 });
    expect(failure.message).toBe('column s.nam does not exist');
    expect(failure.hint).toBe('Perhaps you meant to reference the column "s.name".');
    const syntax = failureOf(await run('SELECT name FROM singer WHERE'));
    expect(syntax).toMatchObject({ code: '42601', position: 30 });
  });

  it('answers an unbound $1 placeholder as an SQL error, not as a lost connection', async () => {
    const failure = failureOf(await run('SELECT name FROM singer WHERE singer_id = $1'));
    expect(failure).toMatchObject({ kind: 'error', code: '08P01' });
    expect(failure.message).toContain('requires 1');
    expect(rowsOf(await run('SELECT 1')).rows).toEqual([[1]]);
  });

  it('reports a statement timeout as TIMEOUT, keeps the SQLSTATE, and serves a concurrent query meanwhile', async () => {
    const [slow, quick] = await Promise.all([run('SELECT pg_sleep(10)', { timeoutMs: 300 }), run('SELECT count(*) FROM singer')]);
    expect(failureOf(slow)).toMatchObject({ kind: 'timeout', code: 'TIMEOUT', detail: 'SQLSTATE 57014' });
    expect(rowsOf(quick).rows).toEqual([[4]]);
  });

  it("caps a query's temporary files at PG_TEMP_FILE_LIMIT_MB, so a runaway recursive query stops before its time limit", async () => {
    const runaway = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';
    const capped = await createPgEngine(engineConfig({ pgTempFileLimitMb: 1 }), silentLogger());
    const uncapped = await createPgEngine(engineConfig({ pgTempFileLimitMb: 0 }), silentLogger());
    try {
      const stopped = failureOf(await capped.execute(schema, runaway, { timeoutMs: 60_000 }));
      expect(stopped).toMatchObject({ kind: 'error', code: '53400' });
      expect(stopped.message).toMatch(/temp_file_limit \(1024kB\)/);
      expect(rowsOf(await capped.execute(schema, "SELECT current_setting('temp_file_limit')")).rows).toEqual([['1MB']]);
      // Without the cap the same query runs on until its statement_timeout.
      expect(failureOf(await uncapped.execute(schema, runaway, { timeoutMs: 300 }))).toMatchObject({ kind: 'timeout', code: 'TIMEOUT' });
    } finally {
      await capped.close();
      await uncapped.close();
    }
  });

  it('serves a role that may not set temp_file_limit, warning once with the ALTER ROLE that would', async () => {
    const role = `sre_nosuper_${process.pid}`;
    await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER`);
    await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    const url = new URL(PG_TEST_URL);
    url.username = role;
    const { log, lines } = memoryLogger();
    const engine = await createPgEngine(engineConfig({ databaseUrl: url.toString(), pgTempFileLimitMb: 64 }), log);
    try {
      const results = await Promise.all([1, 2, 3].map(() => engine.execute(schema, 'SELECT count(*) FROM singer')));
      expect(results.map((r) => rowsOf(r).rows)).toEqual([[[4]], [[4]], [[4]]]);
      const warnings = lines().filter((l) => String(l.msg).includes('temp_file_limit'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 40, limitMb: 64 });
      expect(String(warnings[0]?.msg)).toContain("SET temp_file_limit = '64MB'");
    } finally {
      await engine.close();
      await admin.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${role}; REVOKE USAGE ON SCHEMA ${schema} FROM ${role}; DROP ROLE ${role}`);
    }
  });

  describe('slow queries', () => {
    /** Runs both on an engine of one place; returns which answered first. */
    async function firstAnswered(overrides: Partial<PgEngineConfig>): Promise<{ order: string[]; slow: ExecResult; quick: ExecResult }> {
      const applicationName = `test_slow_${schema}`;
      const single = await createPgEngine(engineConfig({ pgPoolSize: 1, ...overrides }), silentLogger(), { applicationName });
      const order: string[] = [];
      const slow = single.execute(schema, 'SELECT pg_sleep(10)', { timeoutMs: 1500 }).finally(() => order.push('slow'));
      // why wait: the quick query must come second, once the slow one holds the only place.
      const sleeping = "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query = 'SELECT pg_sleep(10)' AND state = 'active'";
      await vi.waitFor(async () => expect((await admin.query(sleeping, [applicationName])).rowCount).toBeGreaterThan(0));
      const quick = single.execute(schema, 'SELECT count(*) FROM singer').finally(() => order.push('quick'));
      const result = { slow: await slow, quick: await quick, order };
      await single.close();
      return result;
    }

    it('answer quick queries while a slow one holds the only place, on another connection', async () => {
      const { order, slow, quick } = await firstAnswered({ pgMaxConnections: 2, slowMs: 50 });
      expect(rowsOf(quick).rows).toEqual([[4]]);
      expect(failureOf(slow)).toMatchObject({ code: 'TIMEOUT' });
      expect(order).toEqual(['quick', 'slow']);
    });

    it('keep their place when SQL_SLOW_MS is past the timeout, or when PG_MAX_CONNECTIONS leaves no other connection', async () => {
      for (const overrides of [{ pgMaxConnections: 2, slowMs: 60_000 }, { pgMaxConnections: 1, slowMs: 50 }]) {
        const { order, quick } = await firstAnswered(overrides);
        expect(rowsOf(quick).rows).toEqual([[4]]);
        expect(order).toEqual(['slow', 'quick']);
      }
    });
  });

  it('flags the row cap and the cell cap instead of applying them silently', async () => {
    const capped = rowsOf(await run('SELECT g FROM generate_series(1, 50) g', { maxRows: 10 }));
    expect(capped).toMatchObject({ rowCount: 10, isTruncated: true });
    expect(rowsOf(await run('SELECT g FROM generate_series(1, 10) g', { maxRows: 10 })).isTruncated).toBe(false);
    const cells = rowsOf(await run("SELECT repeat('é', 100), decode(repeat('ab', 50), 'hex'), 'ok'", { cellCapBytes: 11 }));
    expect(cells.rows).toEqual([['é'.repeat(5), `\\x${'ab'.repeat(11)}`, 'ok']]);
    expect(cells.hasTruncatedCells).toBe(true);
  });

  it('describes tables, keys, quoted names and canonical sample rows, and caches the result', async () => {
    const described = await engine.schema(schema);
    expect(described.tables.map((t) => t.name)).toEqual(['singer', 'concert']);
    const [singer, concert] = described.tables;
    expect(singer?.columns.slice(0, 4)).toEqual([
      { name: 'singer_id', type: 'BIGINT', isPrimaryKey: true, isNotNull: true },
      { name: 'name', type: 'TEXT', isPrimaryKey: false, isNotNull: true },
      { name: 'Country', type: 'TEXT', isPrimaryKey: false, isNotNull: false },
      { name: 'net_worth', type: 'NUMERIC(10,2)', isPrimaryKey: false, isNotNull: false },
    ]);
    expect(singer?.createSql).toContain('"Country" TEXT,');
    expect(singer?.createSql).toContain('PRIMARY KEY (singer_id)');
    expect(concert?.createSql).toContain('FOREIGN KEY (singer_id) REFERENCES singer (singer_id)');
    expect(concert?.foreignKeys).toEqual([{ fromTable: 'concert', fromColumn: 'singer_id', toTable: 'singer', toColumn: 'singer_id' }]);
    expect(singer?.sampleRows).toHaveLength(3);
    expect(singer?.sampleRows[0]?.slice(0, 5)).toEqual([1, 'Joe', 'NL', 30.5, 4]);
    expect(await engine.schema(schema)).toBe(described);
  });

  it('keeps serving after the server terminates its connections', async () => {
    await Promise.all([run('SELECT 1'), run('SELECT 2')]);
    const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`test_${schema}`]);
    expect(killed.rowCount).toBeGreaterThan(0);
    expect(rowsOf(await run('SELECT count(*) FROM singer')).rows).toEqual([[4]]);
  });

  it('retries a query whose connection is terminated mid-flight once on a fresh connection', async () => {
    const pending = run('SELECT pg_sleep(0.8), 5 AS five');
    let killed = 0;
    for (let i = 0; i < 50 && killed === 0; i += 1) {
      const r = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE '%pg_sleep(0.8)%' AND state = 'active'",
        [`test_${schema}`],
      );
      killed = r.rowCount ?? 0;
      if (killed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(killed).toBe(1);
    expect(rowsOf(await pending).rows).toEqual([['', 5]]);
  });
});

describePg('PostgreSQL engine without a server', () => {
  it('throws a clear DatabaseUnavailableError that names the server but not the password', async () => {
    const url = 'postgres://postgres:s3cret-pw@127.0.0.1:1/test';
    const engine = await createPgEngine(engineConfig({ databaseUrl: url }), silentLogger());
    try {
      expect(engine.databases()).toEqual([]);
      const error = await engine.execute('anything', 'SELECT 1').catch((err: unknown) => err);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as Error).message).toMatch(/^PostgreSQL at 127\.0\.0\.1:1 is unavailable: .*ECONNREFUSED/);
      expect((error as Error).message).not.toContain('s3cret');
      await expect(engine.schema('anything')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await engine.close();
      await engine.close();
    }
  });

  it('abandons a query whose server stops answering, as a timeout, and then works on a fresh connection', async () => {
    const target = new URL(PG_TEST_URL);
    const upstreams: net.Socket[] = [];
    const sockets: net.Socket[] = [];
    const proxy = net.createServer((socket) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      upstreams.push(upstream);
      sockets.push(socket, upstream);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = new URL(PG_TEST_URL);
    proxied.port = String((proxy.address() as net.AddressInfo).port);
    const engine = await createPgEngine(engineConfig({ databaseUrl: proxied.href, timeoutMs: 300 }), silentLogger());
    try {
      rowsOf(await engine.execute(schema, 'SELECT 1'));
      for (const upstream of upstreams) upstream.unpipe().pause();
      const frozen = failureOf(await engine.execute(schema, 'SELECT 1'));
      expect(frozen).toMatchObject({ kind: 'timeout', code: 'TIMEOUT' });
      expect(frozen.message).toContain('did not answer within 300 ms');
      expect(rowsOf(await engine.execute(schema, 'SELECT 2')).rows).toEqual([[2]]);
    } finally {
      await engine.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
