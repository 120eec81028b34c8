import type { Cell, DbSchema, TableInfo } from './engine.js';

const SAMPLE_ROWS = 3;
const SAMPLE_CELL_CHARS = 100;

/** A cell as Python's str() prints it in LangChain's sample rows, cut to 100 characters. */
function showCell(cell: Cell): string {
  return (cell === null ? 'None' : String(cell)).slice(0, SAMPLE_CELL_CHARS);
}

/** One table as LangChain's SQLDatabase.get_table_info writes it: the CREATE statement, then a sample-rows comment. */
export function formatTableInfo(table: TableInfo): string {
  const header = table.columns.map((c) => c.name).join('\t');
  const rows = table.sampleRows.map((row) => row.map(showCell).join('\t')).join('\n');
  return `${table.createSql.trimEnd()}\n\n/*\n${SAMPLE_ROWS} rows from ${table.name} table:\n${header}\n${rows}\n*/`;
}

function truncationMarker(maxChars: number, total: number, shownTables: number, allTables: number): string {
  return `\n/* schema_info truncated to ${maxChars} of ${total} characters: ${shownTables} of ${allTables} tables shown in full */`;
}

/**
 * The schema_info text an agent sees: every table's CREATE statement and first rows, in the schema's order. When
 * longer than `maxChars`, it is cut at a line break and ends with a visible truncation marker (total ≤ maxChars).
 */
export function formatSchemaInfo(schema: DbSchema, maxChars: number): string {
  const blocks = schema.tables.map(formatTableInfo);
  const full = blocks.join('\n\n');
  if (full.length <= maxChars) return full;
  const longestMarker = truncationMarker(maxChars, full.length, blocks.length, blocks.length);
  if (longestMarker.length >= maxChars) return longestMarker.slice(0, maxChars);
  const budget = maxChars - longestMarker.length;
  const lineEnd = full.lastIndexOf('\n', budget);
  const cut = lineEnd > 0 ? lineEnd : budget;
  let shownTables = 0;
  for (let end = 0, i = 0; i < blocks.length; i += 1) {
    end += (blocks[i] as string).length + (i > 0 ? 2 : 0);
    if (end <= cut) shownTables += 1;
  }
  return full.slice(0, cut) + truncationMarker(maxChars, full.length, shownTables, blocks.length);
}
