import type pg from 'pg';
import type { ColumnInfo, DbSchema, ForeignKey, TableInfo } from './engine.js';
import { toCellRows } from './pg-types.js';

const SAMPLE_ROWS = 3;

const COLUMNS_SQL = `
SELECT c.relname AS table_name, quote_ident(c.relname) AS table_sql,
       a.attname AS column_name, quote_ident(a.attname) AS column_sql,
       upper(format_type(a.atttypid, a.atttypmod)) AS type, a.attnotnull::int AS is_not_null
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
ORDER BY c.oid, a.attnum`;

const KEYS_SQL = `
SELECT k.contype AS kind, src.relname AS from_table, a.attname AS from_column, quote_ident(a.attname) AS from_sql,
       dst.relname AS to_table, quote_ident(dst.relname) AS to_table_sql,
       b.attname AS to_column, quote_ident(b.attname) AS to_sql
FROM pg_constraint k
JOIN pg_class src ON src.oid = k.conrelid
JOIN pg_namespace n ON n.oid = src.relnamespace
CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(attnum, fattnum, ord)
JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
LEFT JOIN pg_class dst ON dst.oid = k.confrelid
LEFT JOIN pg_attribute b ON b.attrelid = k.confrelid AND b.attnum = u.fattnum
WHERE n.nspname = $1 AND k.contype IN ('p', 'f')
ORDER BY k.conrelid, k.contype DESC, k.oid, u.ord`;

interface ColumnRow {
  table_name: string;
  table_sql: string;
  column_name: string;
  column_sql: string;
  type: string;
  /** 1 or 0: the engine's type parsers turn booleans into numbers. */
  is_not_null: number;
}

interface KeyRow {
  kind: 'p' | 'f';
  from_table: string;
  from_column: string;
  from_sql: string;
  to_table: string | null;
  to_table_sql: string | null;
  to_column: string | null;
  to_sql: string | null;
}

interface TableDraft {
  name: string;
  nameSql: string;
  columns: (ColumnInfo & { nameSql: string })[];
  keys: KeyRow[];
}

/** Quotes an identifier for SQL text (always; used where PostgreSQL's quote_ident was not at hand). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function draftTables(columns: ColumnRow[], keys: KeyRow[]): TableDraft[] {
  const tables = new Map<string, TableDraft>();
  for (const row of columns) {
    let table = tables.get(row.table_name);
    if (table === undefined) {
      table = { name: row.table_name, nameSql: row.table_sql, columns: [], keys: [] };
      tables.set(row.table_name, table);
    }
    table.columns.push({ name: row.column_name, nameSql: row.column_sql, type: row.type, isPrimaryKey: false, isNotNull: row.is_not_null === 1 });
  }
  for (const key of keys) tables.get(key.from_table)?.keys.push(key);
  return [...tables.values()];
}

function buildCreateSql(table: TableDraft, primaryKey: string[], fks: KeyRow[]): string {
  const lines = table.columns.map((c) => `  ${c.nameSql} ${c.type}${c.isNotNull ? ' NOT NULL' : ''}`);
  const pkSql = table.columns.filter((c) => primaryKey.includes(c.name)).map((c) => c.nameSql);
  if (pkSql.length > 0) lines.push(`  PRIMARY KEY (${pkSql.join(', ')})`);
  for (const fk of fks) lines.push(`  FOREIGN KEY (${fk.from_sql}) REFERENCES ${fk.to_table_sql ?? '?'} (${fk.to_sql ?? '?'})`);
  return `CREATE TABLE ${table.nameSql} (\n${lines.join(',\n')}\n);`;
}

function finishTable(table: TableDraft): Omit<TableInfo, 'sampleRows'> {
  const primaryKey = table.keys.filter((k) => k.kind === 'p').map((k) => k.from_column);
  const fkRows = table.keys.filter((k) => k.kind === 'f');
  const foreignKeys: ForeignKey[] = fkRows.map((k) => ({
    fromTable: k.from_table,
    fromColumn: k.from_column,
    toTable: k.to_table ?? '',
    toColumn: k.to_column ?? '',
  }));
  const columns = table.columns.map(({ nameSql: _nameSql, ...c }) => ({ ...c, isPrimaryKey: primaryKey.includes(c.name) }));
  return { name: table.name, columns, primaryKey, foreignKeys, createSql: buildCreateSql(table, primaryKey, fkRows) };
}

async function sampleRows(client: pg.ClientBase, schema: string, table: string, cellCapBytes: number) {
  const result = await client.query<unknown[]>({
    text: `SELECT * FROM ${quoteIdent(schema)}.${quoteIdent(table)} LIMIT ${SAMPLE_ROWS}`,
    rowMode: 'array',
  });
  return toCellRows(result.rows, result.fields.map((f) => f.dataTypeID), cellCapBytes).rows;
}

/**
 * Reads tables (in creation order), columns, primary and foreign keys of one PostgreSQL schema from pg_catalog,
 * builds a CREATE TABLE text per table and fetches its first rows. `client` must use createPgTypeParsers.
 */
export async function loadPgSchema(client: pg.ClientBase, schema: string, cellCapBytes: number): Promise<DbSchema> {
  const columns = await client.query<ColumnRow>(COLUMNS_SQL, [schema]);
  const keys = await client.query<KeyRow>(KEYS_SQL, [schema]);
  const tables: TableInfo[] = [];
  for (const draft of draftTables(columns.rows, keys.rows)) {
    tables.push({ ...finishTable(draft), sampleRows: await sampleRows(client, schema, draft.name, cellCapBytes) });
  }
  return { dialect: 'postgres', database: schema, tables };
}
