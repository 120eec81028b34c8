import { describe, expect, it } from 'vitest';
import type { DbSchema, TableInfo } from '../../../src/env/db/engine.js';
import { formatSchemaInfo, formatTableInfo } from '../../../src/env/db/schema-info.js';

function table(name: string, sampleRows: TableInfo['sampleRows'] = [[1, 'a']]): TableInfo {
  return {
    name,
    columns: [
      { name: 'id', type: 'INTEGER', isPrimaryKey: true, isNotNull: false },
      { name: 'label', type: 'TEXT', isPrimaryKey: false, isNotNull: false },
    ],
    primaryKey: ['id'],
    foreignKeys: [],
    createSql: `CREATE TABLE ${name} (id INTEGER PRIMARY KEY, label TEXT)  \n`,
    sampleRows,
  };
}

const schema = (tables: TableInfo[]): DbSchema => ({ dialect: 'sqlite', database: 'db', tables });

describe('formatSchemaInfo', () => {
  it("writes a table as LangChain's get_table_info does", () => {
    expect(formatTableInfo(table('pets', [[1, 'cat'], [2, null]]))).toBe(
      'CREATE TABLE pets (id INTEGER PRIMARY KEY, label TEXT)\n\n/*\n3 rows from pets table:\nid\tlabel\n1\tcat\n2\tNone\n*/',
    );
  });

  it('cuts each sample value to 100 characters', () => {
    const text = formatTableInfo(table('t', [[1, 'x'.repeat(150)]]));
    expect(text).toContain(`\n1\t${'x'.repeat(100)}\n*/`);
  });

  it('joins tables with a blank line, in the schema order, untruncated when it fits', () => {
    const info = formatSchemaInfo(schema([table('a'), table('b')]), 10_000);
    expect(info).toBe(`${formatTableInfo(table('a'))}\n\n${formatTableInfo(table('b'))}`);
  });

  it('cuts at a line break within the budget and ends with a visible marker', () => {
    const tables = Array.from({ length: 10 }, (_, i) => table(`t${i}`));
    const full = formatSchemaInfo(schema(tables), 1_000_000);
    const info = formatSchemaInfo(schema(tables), 400);
    expect(info.length).toBeLessThanOrEqual(400);
    expect(full.startsWith(info.slice(0, info.indexOf('\n/* schema_info truncated')))).toBe(true);
    expect(info).toMatch(new RegExp(`\\n/\\* schema_info truncated to 400 of ${full.length} characters: 3 of 10 tables shown in full \\*/$`));
  });

  it('never exceeds a budget smaller than the marker', () => {
    expect(formatSchemaInfo(schema([table('a'), table('b')]), 20)).toHaveLength(20);
  });
});
