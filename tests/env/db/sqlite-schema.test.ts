import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { readSqliteSchema } from '../../../src/env/db/sqlite-schema.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const dir = tmpDir('sqlite-schema-');
const file = path.join(dir, 'schema.sqlite');
const db = new Database(file);
db.exec(`
  CREATE TABLE parent (a INTEGER, b TEXT, PRIMARY KEY (a, b));
  CREATE TABLE child (id INTEGER PRIMARY KEY, pa INTEGER, pb TEXT, big INTEGER, data BLOB, note,
    FOREIGN KEY (pa, pb) REFERENCES parent);
  CREATE TABLE "odd ""name""" (x int);
  CREATE VIEW v AS SELECT * FROM parent;
  CREATE TABLE seq (id INTEGER PRIMARY KEY AUTOINCREMENT);
  INSERT INTO seq DEFAULT VALUES;
  INSERT INTO parent VALUES (1, 'p');
  INSERT INTO child VALUES (1, 1, 'p', 9007199254740993, x'beef', '${'n'.repeat(3000)}'), (2, 1, 'p', 2, NULL, 1.5),
    (3, NULL, NULL, NULL, NULL, NULL), (4, NULL, NULL, NULL, NULL, NULL);
  INSERT INTO "odd ""name""" VALUES (1);
`);
db.close();

describe('readSqliteSchema', () => {
  const schema = readSqliteSchema('s', file);

  it('lists tables by name, without views or sqlite_ internals', () => {
    expect(schema).toMatchObject({ dialect: 'sqlite', database: 's' });
    expect(schema.tables.map((t) => t.name)).toEqual(['child', 'odd "name"', 'parent', 'seq']);
  });

  it('resolves a foreign key without a column list to the parent primary key', () => {
    const child = schema.tables.find((t) => t.name === 'child');
    expect(child?.foreignKeys).toEqual([
      { fromTable: 'child', fromColumn: 'pa', toTable: 'parent', toColumn: 'a' },
      { fromTable: 'child', fromColumn: 'pb', toTable: 'parent', toColumn: 'b' },
    ]);
    expect(schema.tables.find((t) => t.name === 'parent')?.primaryKey).toEqual(['a', 'b']);
  });

  it('reports declared types upper-cased, empty when undeclared', () => {
    const child = schema.tables.find((t) => t.name === 'child');
    expect(child?.columns.map((c) => c.type)).toEqual(['INTEGER', 'INTEGER', 'TEXT', 'INTEGER', 'BLOB', '']);
  });

  it('keeps at most three canonical sample rows, with long cells cut', () => {
    const child = schema.tables.find((t) => t.name === 'child');
    expect(child?.sampleRows).toHaveLength(3);
    const [row1, row2] = child?.sampleRows ?? [];
    expect(row1?.slice(0, 5)).toEqual([1, 1, 'p', '9007199254740993', '\\xbeef']);
    expect(String(row1?.[5]).length).toBe(1024);
    expect(row2?.[5]).toBe(1.5);
    expect(schema.tables.find((t) => t.name === 'odd "name"')?.sampleRows).toEqual([[1]]);
  });
});
