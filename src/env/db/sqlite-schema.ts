import Database from 'better-sqlite3';
import { bigintToCell, blobToCell, capText } from './cells.js';
import type { Cell, ColumnInfo, DbSchema, ForeignKey, TableInfo } from './engine.js';

const SAMPLE_ROWS = 3;
const SAMPLE_CELL_CAP_BYTES = 1024;

interface TableInfoRow {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

interface ForeignKeyRow {
  seq: number;
  table: string;
  from: string;
  to: string | null;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function sampleCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return bigintToCell(value);
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return capText(value, SAMPLE_CELL_CAP_BYTES).cell;
  return blobToCell(value as Uint8Array, SAMPLE_CELL_CAP_BYTES).cell;
}

function readColumns(db: Database.Database, table: string): ColumnInfo[] {
  const rows = db.prepare<[string], TableInfoRow>('SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid').all(table);
  return rows.map((r) => ({ name: r.name, type: r.type.toUpperCase(), isPrimaryKey: r.pk > 0, isNotNull: r.notnull === 1 }));
}

function readPrimaryKey(db: Database.Database, table: string): string[] {
  const rows = db.prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').all(table);
  return rows.map((r) => r.name);
}

function readForeignKeys(db: Database.Database, table: string): ForeignKey[] {
  const rows = db.prepare<[string], ForeignKeyRow>('SELECT seq, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq').all(table);
  return rows.map((r) => {
    // why: `REFERENCES parent` without a column list means the parent's primary key (SQLite reports to = NULL).
    const toColumn = r.to ?? readPrimaryKey(db, r.table)[r.seq] ?? r.from;
    return { fromTable: table, fromColumn: r.from, toTable: r.table, toColumn };
  });
}

function readSampleRows(db: Database.Database, table: string): Cell[][] {
  try {
    const stmt = db.prepare(`SELECT * FROM ${quoteIdent(table)} LIMIT ${SAMPLE_ROWS}`).raw(true).safeIntegers(true);
    return (stmt.all() as unknown[][]).map((row) => row.map(sampleCell));
  } catch {
    return []; // why: as LangChain's get_table_info, a table that cannot be read (missing virtual-table module) shows no rows.
  }
}

function readTable(db: Database.Database, name: string, createSql: string): TableInfo {
  return {
    name,
    columns: readColumns(db, name),
    primaryKey: readPrimaryKey(db, name),
    foreignKeys: readForeignKeys(db, name),
    createSql,
    sampleRows: readSampleRows(db, name),
  };
}

/** Reads tables (by name), columns, keys, CREATE statements and the first rows of an SQLite file, read-only. */
export function readSqliteSchema(database: string, filePath: string): DbSchema {
  const db = new Database(filePath, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare<[], { name: string; sql: string | null }>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      )
      .all();
    return { dialect: 'sqlite', database, tables: tables.map((t) => readTable(db, t.name, t.sql ?? `CREATE TABLE ${quoteIdent(t.name)} ()`)) };
  } finally {
    db.close();
  }
}
