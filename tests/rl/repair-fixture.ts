import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createPgEngine, type PgEngine } from '../../src/env/db/pg-engine.js';
import { createSqliteEngine, type SqliteEngine } from '../../src/env/db/sqlite-engine.js';
import type { DbSchema, SqlEngine } from '../../src/env/db/engine.js';
import { silentLogger } from '../helpers/logs.js';
import { PG_TEST_URL } from '../helpers/pg.js';
import { testConfig } from '../helpers/test-config.js';

/**
 * A small concert database (Spider's concert_singer, trimmed) as portable SQL that runs unchanged on SQLite and
 * PostgreSQL, for the repair-policy tests that drive real engines with broken queries.
 */
export const REPAIR_FIXTURE_SQL: readonly string[] = [
  'CREATE TABLE stadium (stadium_id INTEGER PRIMARY KEY, name TEXT NOT NULL, location TEXT, capacity INTEGER)',
  'CREATE TABLE singer (singer_id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT, age INTEGER, is_male BOOLEAN)',
  'CREATE TABLE concert (concert_id INTEGER PRIMARY KEY, concert_name TEXT, stadium_id INTEGER REFERENCES stadium (stadium_id), year TEXT)',
  `CREATE TABLE singer_in_concert (concert_id INTEGER REFERENCES concert (concert_id),
     singer_id INTEGER REFERENCES singer (singer_id), PRIMARY KEY (concert_id, singer_id))`,
  "INSERT INTO stadium VALUES (1, 'Stark''s Park', 'Raith Rovers', 10104), (2, 'Somerset Park', 'Ayr United', 11998), (3, 'Glebe Park', 'Brechin City', 3960)",
  "INSERT INTO singer VALUES (1, 'Joe Sharp', 'Netherlands', 52, false), (2, 'Timbaland', 'United States', 32, true), (3, 'Justin Brown', 'France', 29, true), (4, 'Rose White', 'France', 41, false)",
  "INSERT INTO concert VALUES (1, 'Auditions', 1, '2014'), (2, 'Super bootcamp', 2, '2014'), (3, 'Home Visits', 2, '2015')",
  'INSERT INTO singer_in_concert VALUES (1, 2), (1, 3), (2, 3), (3, 1), (3, 4)',
];

/** The database name the fixture has in the SQLite engine. */
export const SQLITE_DB = 'concert';

/** Writes the fixture into `dir` and returns an engine (one worker) that knows it as SQLITE_DB. */
export function createFixtureSqliteEngine(dir: string): SqliteEngine {
  const file = path.join(dir, 'concert.sqlite');
  const db = new Database(file);
  for (const sql of REPAIR_FIXTURE_SQL) db.exec(sql);
  db.close();
  return createSqliteEngine(testConfig({ SQL_WORKERS: '1' }).sql, silentLogger(), { [SQLITE_DB]: file });
}

/** Creates the fixture in PostgreSQL schema `schema`; returns an engine and a cleanup that drops the schema. */
export async function createFixturePgEngine(schema: string): Promise<{ engine: PgEngine; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`SET search_path TO ${schema}`);
  for (const sql of REPAIR_FIXTURE_SQL) await admin.query(sql);
  const engine = await createPgEngine({ ...testConfig().sql, databaseUrl: PG_TEST_URL, pgPoolSize: 2 }, silentLogger());
  const drop = async (): Promise<void> => {
    await engine.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  };
  return { engine, drop };
}

/** A real-database suite's setup: the engine, the database name to query, and how to tear it down. */
export interface FixtureDatabase {
  engine: SqlEngine;
  database: string;
  close: () => Promise<void>;
}

/** An opened fixture database with its schema, filled in before the suite's tests run. */
export interface OpenFixtureDatabase {
  engine: SqlEngine;
  database: string;
  schema: DbSchema;
}

/** Opens the fixture database before the enclosing suite's tests and closes it after them; read its fields in tests. */
export function useFixtureDatabase(setup: () => Promise<FixtureDatabase>): OpenFixtureDatabase {
  const open = {} as OpenFixtureDatabase;
  let close = async (): Promise<void> => undefined;
  beforeAll(async () => {
    const fixture = await setup();
    close = fixture.close;
    Object.assign(open, { engine: fixture.engine, database: fixture.database, schema: await fixture.engine.schema(fixture.database) });
  });
  afterAll(() => close());
  return open;
}

export function sqliteFixtureDatabase(dir: string): FixtureDatabase {
  const engine = createFixtureSqliteEngine(dir);
  return { engine, database: SQLITE_DB, close: () => engine.close() };
}

export async function pgFixtureDatabase(schema: string): Promise<FixtureDatabase> {
  const { engine, drop } = await createFixturePgEngine(schema);
  return { engine, database: schema, close: drop };
}
