import Database from 'better-sqlite3';
import pg from 'pg';
import { DatabaseUnavailableError } from '../../errors.js';
import { unavailableMessage } from './pg-failure.js';
import { quoteIdent } from './pg-schema.js';

export type PgColumnType = 'bigint' | 'double precision' | 'text' | 'bytea';

export interface SqliteToPgOptions {
  /** Add FOREIGN KEY constraints (NOT VALID, so dangling Spider references do not block them). Default true. */
  hasForeignKeys?: boolean;
  /** Drop an existing schema of the same name first. Default false: an existing schema is an error. */
  isReplacing?: boolean;
  /** Rows per INSERT statement. Default 500. */
  batchRows?: number;
}

export interface ImportedTable {
  name: string;
  rowCount: number;
  columns: { name: string; type: PgColumnType }[];
}

export interface SqliteImportReport {
  schema: string;
  tables: ImportedTable[];
  rowCount: number;
  /** Keys PostgreSQL refused (NULLs or duplicates in a key, missing tables, mismatched types), with its reason. */
  skippedConstraints: string[];
}

interface SqliteColumn {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

interface PlannedTable {
  source: string;
  name: string;
  columns: (SqliteColumn & { pgName: string; pgType: PgColumnType })[];
}

const MAX_PARAMS = 65_535;

/** PostgreSQL folds unquoted identifiers with ASCII rules only, so the copy must use the same folding. */
export function foldIdentifier(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function sqliteQuote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function typeFromHint(declared: string): PgColumnType {
  if (/INT|BOOL/i.test(declared)) return 'bigint';
  if (/REAL|FLOA|DOUB|NUM|DEC/i.test(declared)) return 'double precision';
  return 'text';
}

/** The PostgreSQL type of each column, from the storage classes of the values actually present. */
function planColumns(db: Database.Database, table: string, columns: SqliteColumn[]): PlannedTable['columns'] {
  const parts = columns.map((c, i) =>
    ['integer', 'real', 'text', 'blob'].map((t) => `coalesce(sum(typeof(${sqliteQuote(c.name)}) = '${t}'), 0) AS ${t[0]}${i}`).join(', '),
  );
  const counts = db.prepare(`SELECT ${parts.join(', ')} FROM ${sqliteQuote(table)}`).get() as Record<string, number>;
  return columns.map((c, i) => {
    const [ints, reals, texts, blobs] = ['i', 'r', 't', 'b'].map((k) => counts[`${k}${i}`] ?? 0) as [number, number, number, number];
    let pgType: PgColumnType;
    if (texts > 0 || (blobs > 0 && ints + reals > 0)) pgType = 'text';
    else if (blobs > 0) pgType = 'bytea';
    else if (reals > 0) pgType = 'double precision';
    else if (ints > 0) pgType = 'bigint';
    else pgType = typeFromHint(c.type);
    return { ...c, pgName: foldIdentifier(c.name), pgType };
  });
}

function planTables(db: Database.Database): PlannedTable[] {
  const names = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid`)
    .pluck()
    .all() as string[];
  return names.map((source) => {
    const columns = db.prepare(`PRAGMA table_info(${sqliteQuote(source)})`).all() as SqliteColumn[];
    return { source, name: foldIdentifier(source), columns: planColumns(db, source, columns) };
  });
}

function selectExpression(column: PlannedTable['columns'][number]): string {
  const q = sqliteQuote(column.name);
  if (column.pgType !== 'text') return q;
  return `CASE typeof(${q}) WHEN 'blob' THEN '\\x' || lower(hex(${q})) ELSE CAST(${q} AS TEXT) END`;
}

function toParam(value: unknown): unknown {
  // why: PostgreSQL text cannot hold NUL characters; SQLite text can.
  return typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', '') : value;
}

function insertSql(schema: string, table: PlannedTable, rows: number): string {
  const width = table.columns.length;
  const tuples = Array.from({ length: rows }, (_, r) => `(${table.columns.map((_c, c) => `$${r * width + c + 1}`).join(', ')})`);
  const names = table.columns.map((c) => quoteIdent(c.pgName)).join(', ');
  return `INSERT INTO ${quoteIdent(schema)}.${quoteIdent(table.name)} (${names}) VALUES ${tuples.join(', ')}`;
}

async function copyRows(db: Database.Database, client: pg.ClientBase, schema: string, table: PlannedTable, batchRows: number) {
  const perBatch = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMS / table.columns.length)));
  const fullBatchSql = insertSql(schema, table, perBatch);
  const select = db.prepare(`SELECT ${table.columns.map(selectExpression).join(', ')} FROM ${sqliteQuote(table.source)}`);
  let batch: unknown[] = [];
  let rowCount = 0;
  const flush = async (rows: number) => {
    await client.query(rows === perBatch ? fullBatchSql : insertSql(schema, table, rows), batch);
    batch = [];
  };
  for (const row of select.raw(true).safeIntegers(true).iterate() as Iterable<unknown[]>) {
    for (const value of row) batch.push(toParam(value));
    rowCount += 1;
    if (rowCount % perBatch === 0) await flush(perBatch);
  }
  if (rowCount % perBatch !== 0) await flush(rowCount % perBatch);
  return rowCount;
}

async function createTable(client: pg.ClientBase, schema: string, table: PlannedTable): Promise<void> {
  const columns = table.columns.map((c) => `${quoteIdent(c.pgName)} ${c.pgType}${c.notnull === 1 ? ' NOT NULL' : ''}`);
  await client.query(`CREATE TABLE ${quoteIdent(schema)}.${quoteIdent(table.name)} (${columns.join(', ')})`);
}

/** Runs `ddl` inside a savepoint; returns PostgreSQL's reason when it refuses. */
async function tryConstraint(client: pg.ClientBase, ddl: string): Promise<string | undefined> {
  await client.query('SAVEPOINT add_key');
  try {
    await client.query(ddl);
    await client.query('RELEASE SAVEPOINT add_key');
    return undefined;
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT add_key');
    return err instanceof Error ? err.message : String(err);
  }
}

async function addPrimaryKey(client: pg.ClientBase, schema: string, table: PlannedTable): Promise<string | undefined> {
  const keys = table.columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  if (keys.length === 0) return undefined;
  const cols = keys.map((c) => quoteIdent(c.pgName)).join(', ');
  const reason = await tryConstraint(client, `ALTER TABLE ${quoteIdent(schema)}.${quoteIdent(table.name)} ADD PRIMARY KEY (${cols})`);
  return reason === undefined ? undefined : `PRIMARY KEY ${table.name} (${cols}): ${reason}`;
}

interface SqliteForeignKey {
  id: number;
  table: string;
  from: string;
  to: string | null;
}

async function addForeignKeys(db: Database.Database, client: pg.ClientBase, schema: string, tables: PlannedTable[]): Promise<string[]> {
  const skipped: string[] = [];
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const table of tables) {
    const rows = db.prepare(`PRAGMA foreign_key_list(${sqliteQuote(table.source)})`).all() as SqliteForeignKey[];
    for (const id of new Set(rows.map((r) => r.id))) {
      const parts = rows.filter((r) => r.id === id);
      const parent = byName.get(foldIdentifier(parts[0]?.table ?? ''));
      const from = parts.map((p) => quoteIdent(foldIdentifier(p.from))).join(', ');
      const parentKey = parent?.columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.pgName) ?? [];
      const to = parts.map((p, i) => quoteIdent(p.to === null ? (parentKey[i] ?? '') : foldIdentifier(p.to))).join(', ');
      const label = `FOREIGN KEY ${table.name} (${from}) -> ${parts[0]?.table ?? '?'} (${to})`;
      if (parent === undefined) {
        skipped.push(`${label}: no such table`);
        continue;
      }
      const ddl = `ALTER TABLE ${quoteIdent(schema)}.${quoteIdent(table.name)} ADD FOREIGN KEY (${from}) REFERENCES ${quoteIdent(schema)}.${quoteIdent(parent.name)} (${to}) NOT VALID`;
      const reason = await tryConstraint(client, ddl);
      if (reason !== undefined) skipped.push(`${label}: ${reason}`);
    }
  }
  return skipped;
}

/**
 * Copies every table of a (read-only) SQLite connection into a new PostgreSQL schema, in one transaction:
 * lower-case names (so Spider's unquoted mixed-case SQL resolves), column types from the values present
 * (all integers → bigint, all numbers → double precision, only BLOBs → bytea, else text; the declared type only
 * for columns with no values), rows in batched INSERTs, then primary keys and optionally foreign keys.
 */
export async function importSqliteToPg(
  db: Database.Database,
  client: pg.ClientBase,
  schema: string,
  options: SqliteToPgOptions = {},
): Promise<SqliteImportReport> {
  const tables = planTables(db);
  await client.query('BEGIN');
  try {
    if (options.isReplacing === true) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    const imported: ImportedTable[] = [];
    const skippedConstraints: string[] = [];
    for (const table of tables) {
      await createTable(client, schema, table);
      const rowCount = await copyRows(db, client, schema, table, options.batchRows ?? 500);
      imported.push({ name: table.name, rowCount, columns: table.columns.map((c) => ({ name: c.pgName, type: c.pgType })) });
      const skippedKey = await addPrimaryKey(client, schema, table);
      if (skippedKey !== undefined) skippedConstraints.push(skippedKey);
      await client.query(`ANALYZE ${quoteIdent(schema)}.${quoteIdent(table.name)}`);
    }
    if (options.hasForeignKeys !== false) skippedConstraints.push(...(await addForeignKeys(db, client, schema, tables)));
    await client.query('COMMIT');
    const rowCount = imported.reduce((n, t) => n + t.rowCount, 0);
    return { schema, tables: imported, rowCount, skippedConstraints };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Opens `sqlitePath` read-only and a connection to `databaseUrl`, imports, and closes both. */
export async function importSqliteFileToPg(
  sqlitePath: string,
  databaseUrl: string,
  schema: string,
  options: SqliteToPgOptions = {},
): Promise<SqliteImportReport> {
  const db = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'sql-repair-env-import' });
  try {
    await client.connect().catch((err: unknown) => {
      throw new DatabaseUnavailableError(unavailableMessage(databaseUrl, err), err);
    });
    return await importSqliteToPg(db, client, schema, options);
  } finally {
    db.close();
    await client.end().catch(() => undefined);
  }
}
