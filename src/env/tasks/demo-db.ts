import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DatabaseUnavailableError, DatasetError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { DEMO_DATABASE, generateDemoData, type DemoTableRows } from './demo-data.js';

export { DEMO_DATABASE } from './demo-data.js';

/** Bump whenever the schema or the generated data changes: older SQLite files and PG schemas are rebuilt. */
export const DEMO_SCHEMA_VERSION = 1;

const PG_MARKER = `sql-repair-env demo v${DEMO_SCHEMA_VERSION}`;
const PG_MARKER_PREFIX = 'sql-repair-env demo';
/** Arbitrary first key of the advisory lock, shared by every process that builds a demo schema. */
const PG_LOCK_CLASS = 0x5e1d_e30;
const PG_BATCH_ROWS = 500;

/** Portable DDL; `DATE` becomes TEXT in SQLite (ISO 'YYYY-MM-DD' strings). Order satisfies the foreign keys. */
const DEMO_DDL = [
  `CREATE TABLE departments (
    department_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, location TEXT NOT NULL, budget_cents INTEGER NOT NULL)`,
  `CREATE TABLE employees (
    employee_id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL, department_id INTEGER NOT NULL REFERENCES departments (department_id),
    manager_id INTEGER REFERENCES employees (employee_id), hire_date DATE NOT NULL, salary_cents INTEGER NOT NULL)`,
  `CREATE TABLE customers (
    customer_id INTEGER PRIMARY KEY, company_name TEXT NOT NULL, contact_name TEXT NOT NULL, email TEXT NOT NULL,
    city TEXT NOT NULL, country TEXT NOT NULL, segment TEXT NOT NULL, signup_date DATE NOT NULL)`,
  `CREATE TABLE categories (category_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL)`,
  `CREATE TABLE suppliers (
    supplier_id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL, rating INTEGER NOT NULL)`,
  `CREATE TABLE products (
    product_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, category_id INTEGER NOT NULL REFERENCES categories (category_id),
    supplier_id INTEGER NOT NULL REFERENCES suppliers (supplier_id), unit_price_cents INTEGER NOT NULL,
    units_in_stock INTEGER NOT NULL, is_discontinued INTEGER NOT NULL CHECK (is_discontinued IN (0, 1)))`,
  `CREATE TABLE orders (
    order_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (customer_id),
    employee_id INTEGER NOT NULL REFERENCES employees (employee_id), order_date DATE NOT NULL, status TEXT NOT NULL,
    shipped_date DATE)`,
  `CREATE TABLE order_items (
    order_item_id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (order_id),
    product_id INTEGER NOT NULL REFERENCES products (product_id), quantity INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL)`,
  `CREATE TABLE payments (
    payment_id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (order_id), payment_date DATE NOT NULL,
    amount_cents INTEGER NOT NULL, method TEXT NOT NULL)`,
  'CREATE INDEX orders_customer_idx ON orders (customer_id)',
  'CREATE INDEX orders_date_idx ON orders (order_date)',
  'CREATE INDEX order_items_order_idx ON order_items (order_id)',
  'CREATE INDEX order_items_product_idx ON order_items (product_id)',
  'CREATE INDEX payments_order_idx ON payments (order_id)',
];

/** The demo DDL for one dialect. */
export function demoDdl(dialect: 'sqlite' | 'postgres'): string[] {
  return dialect === 'postgres' ? DEMO_DDL : DEMO_DDL.map((sql) => sql.replaceAll(' DATE', ' TEXT'));
}

/** Where ensureDemoSqlite keeps the file: `<dataDir>/demo/demo.sqlite`, the Spider layout. */
export function demoSqlitePath(dataDir: string): string {
  return path.join(dataDir, DEMO_DATABASE, `${DEMO_DATABASE}.sqlite`);
}

function sqliteVersion(file: string): number | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return Number(db.pragma('user_version', { simple: true }));
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

function writeSqlite(file: string, tables: DemoTableRows[]): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = ON');
    db.transaction(() => {
      for (const sql of demoDdl('sqlite')) db.exec(sql);
      for (const table of tables) {
        const insert = db.prepare(`INSERT INTO ${table.name} (${table.columns.join(', ')}) VALUES (${table.columns.map(() => '?').join(', ')})`);
        for (const row of table.rows) insert.run(row);
      }
    })();
    db.pragma(`user_version = ${DEMO_SCHEMA_VERSION}`);
  } finally {
    db.close();
  }
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes sure `<dataDir>/demo/demo.sqlite` holds the current demo database and returns its path.
 * Builds into a temporary file and renames it into place, so concurrent starts are safe and readers never see a
 * half-written file; a file with another schema version (or not a database at all) is rebuilt.
 */
export async function ensureDemoSqlite(dataDir: string, log: Logger): Promise<string> {
  const file = demoSqlitePath(dataDir);
  const found = sqliteVersion(file);
  if (found === DEMO_SCHEMA_VERSION) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const startedMs = Date.now();
  try {
    writeSqlite(tmp, generateDemoData());
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  log.info({ file, version: DEMO_SCHEMA_VERSION, previousVersion: found ?? null, elapsedMs: Date.now() - startedMs }, 'demo SQLite database built');
  return file;
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

async function insertPgRows(client: pg.ClientBase, table: DemoTableRows): Promise<void> {
  for (let start = 0; start < table.rows.length; start += PG_BATCH_ROWS) {
    const batch = table.rows.slice(start, start + PG_BATCH_ROWS);
    const width = table.columns.length;
    const tuples = batch.map((_, r) => `(${table.columns.map((__, c) => `$${r * width + c + 1}`).join(', ')})`);
    await client.query(`INSERT INTO ${table.name} (${table.columns.join(', ')}) VALUES ${tuples.join(', ')}`, batch.flat());
  }
}

/** The schema's state: 'current', 'outdated' (an older demo of ours), 'absent', 'empty' or 'foreign' (not ours). */
async function pgSchemaState(client: pg.ClientBase, schema: string): Promise<'current' | 'outdated' | 'absent' | 'empty' | 'foreign'> {
  const { rows } = await client.query<{ marker: string | null; tables: string }>(
    `SELECT obj_description(n.oid, 'pg_namespace') AS marker,
            (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid) AS tables
       FROM pg_namespace n WHERE n.nspname = $1`,
    [schema],
  );
  const row = rows[0];
  if (row === undefined) return 'absent';
  if (row.marker === PG_MARKER) return 'current';
  if (row.marker?.startsWith(PG_MARKER_PREFIX) === true) return 'outdated';
  return Number(row.tables) === 0 ? 'empty' : 'foreign';
}

async function buildPgSchema(client: pg.ClientBase, schema: string, state: 'outdated' | 'absent' | 'empty'): Promise<void> {
  const ident = quoteIdent(schema);
  if (state === 'outdated') await client.query(`DROP SCHEMA ${ident} CASCADE`);
  if (state !== 'empty') await client.query(`CREATE SCHEMA ${ident}`);
  await client.query(`SET LOCAL search_path TO ${ident}`);
  for (const sql of demoDdl('postgres')) await client.query(sql);
  for (const table of generateDemoData()) await insertPgRows(client, table);
  await client.query(`COMMENT ON SCHEMA ${ident} IS '${PG_MARKER}'`);
}

/**
 * Makes sure PostgreSQL schema `schema` holds the current demo database. One transaction under an advisory lock,
 * so concurrent starts build it once and nobody sees a partial schema; an older demo schema is rebuilt.
 * Throws DatasetError when the schema exists, holds tables and was not created by us; DatabaseUnavailableError
 * when PostgreSQL cannot be reached.
 */
export async function ensureDemoPostgres(databaseUrl: string, log: Logger, schema = DEMO_DATABASE): Promise<{ schema: string; isCreated: boolean }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (err) {
    throw new DatabaseUnavailableError(`Cannot connect to PostgreSQL to create the demo schema: ${(err as Error).message}`, err);
  }
  const startedMs = Date.now();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PG_LOCK_CLASS, schema]);
    const state = await pgSchemaState(client, schema);
    if (state === 'foreign') {
      throw new DatasetError(`PostgreSQL schema '${schema}' already holds tables that were not created by sql-repair-env; choose another schema for the demo database`);
    }
    if (state !== 'current') await buildPgSchema(client, schema, state);
    await client.query('COMMIT');
    if (state !== 'current') log.info({ schema, version: DEMO_SCHEMA_VERSION, previous: state, elapsedMs: Date.now() - startedMs }, 'demo PostgreSQL schema built');
    return { schema, isCreated: state !== 'current' };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
