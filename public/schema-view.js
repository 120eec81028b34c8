// Reads observation.schema_info (CREATE TABLE statements followed by sample-row comments) into tables, columns and
// foreign keys, and renders it as a collapsible panel. The raw text stays viewable with REFERENCES lines marked.
import { h } from './dom.js';

const IDENT = String.raw`(?:"[^"]+"|\x60[^\x60]+\x60|\[[^\]]+\]|[\w$.]+)`;
const CREATE = new RegExp(String.raw`CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(${IDENT})\s*\(`, 'gi');
const TABLE_FK = new RegExp(String.raw`FOREIGN\s+KEY\s*\(([^)]*)\)\s*REFERENCES\s+(${IDENT})\s*(?:\(([^)]*)\))?`, 'i');
const INLINE_FK = new RegExp(String.raw`REFERENCES\s+(${IDENT})\s*(?:\(([^)]*)\))?`, 'i');

export function unquote(name) {
  const t = name.trim();
  if (/^(".*"|`.*`|\[.*\])$/.test(t)) return t.slice(1, -1);
  return t;
}

const splitNames = (list) => (list ?? '').split(',').map(unquote).filter((n) => n !== '');

/** Index of the ')' closing the '(' at `open`, skipping quoted text; -1 when unbalanced (truncated schema). */
function closingParen(text, open) {
  let depth = 0;
  let quote = null;
  for (let i = open; i < text.length; i += 1) {
    const c = text[i];
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth += 1;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Top-level comma-separated parts of a CREATE TABLE body. */
function splitDefinitions(body) {
  const parts = [];
  let depth = 0;
  let quote = null;
  let start = 0;
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i];
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseDefinition(def, table) {
  const keyword = def.replace(/^CONSTRAINT\s+\S+\s+/i, '');
  const fk = TABLE_FK.exec(keyword);
  if (fk !== null) {
    const from = splitNames(fk[1]);
    const to = splitNames(fk[3]);
    return { fks: from.map((column, i) => ({ table, column, refTable: unquote(fk[2]), refColumn: to[i] ?? to[0] ?? '' })) };
  }
  const pk = /^PRIMARY\s+KEY\s*\(([^)]*)\)/i.exec(keyword);
  if (pk !== null) return { primaryKey: splitNames(pk[1]) };
  if (/^(UNIQUE|CHECK|PRIMARY\s+KEY)\b/i.test(keyword)) return {};
  const nameMatch = new RegExp(`^(${IDENT})\\s*([\\s\\S]*)$`).exec(def);
  if (nameMatch === null) return {};
  const name = unquote(nameMatch[1]);
  const rest = nameMatch[2] ?? '';
  const type = (/^([A-Za-z_][\w ]*?(?:\([^)]*\))?)(?=\s+(?:NOT|NULL|PRIMARY|REFERENCES|DEFAULT|UNIQUE|CHECK|COLLATE|CONSTRAINT|GENERATED)\b|$)/i.exec(rest.trim())?.[1] ?? '').trim();
  const column = { name, type, isPrimaryKey: /PRIMARY\s+KEY/i.test(rest) };
  const inline = INLINE_FK.exec(rest);
  const fks = inline === null ? [] : [{ table, column: name, refTable: unquote(inline[1]), refColumn: splitNames(inline[2])[0] ?? '' }];
  return { column, fks };
}

/** Tables ({ name, columns: [{name, type, isPrimaryKey}] }) and foreign keys found in schema_info. */
export function parseSchemaInfo(text) {
  const tables = [];
  const foreignKeys = [];
  for (const match of text.matchAll(CREATE)) {
    const name = unquote(match[1]);
    const open = match.index + match[0].length - 1;
    const close = closingParen(text, open);
    const body = text.slice(open + 1, close < 0 ? text.length : close);
    const table = { name, columns: [] };
    const primaryKeys = [];
    for (const def of splitDefinitions(body)) {
      const parsed = parseDefinition(def, name);
      if (parsed.column) table.columns.push(parsed.column);
      foreignKeys.push(...(parsed.fks ?? []));
      primaryKeys.push(...(parsed.primaryKey ?? []));
    }
    for (const col of table.columns) if (primaryKeys.some((pk) => pk.toLowerCase() === col.name.toLowerCase())) col.isPrimaryKey = true;
    tables.push(table);
  }
  return { tables, foreignKeys, isTruncated: /schema_info truncated/.test(text) };
}

function fkLabel(fk) {
  return `${fk.table}.${fk.column} → ${fk.refTable}${fk.refColumn === '' ? '' : `.${fk.refColumn}`}`;
}

function tableItem(table, foreignKeys) {
  const fkByColumn = new Map(foreignKeys.filter((fk) => fk.table === table.name).map((fk) => [fk.column.toLowerCase(), fk]));
  return h(
    'li',
    { class: 'schema-table', dataset: { table: table.name } },
    h('code', { class: 'table-name' }, table.name),
    h(
      'ul',
      { class: 'columns' },
      table.columns.map((col) => {
        const fk = fkByColumn.get(col.name.toLowerCase());
        return h(
          'li',
          { class: `schema-col${col.isPrimaryKey ? ' pk' : ''}${fk ? ' fk' : ''}` },
          h('code', null, col.name),
          col.type === '' ? null : h('span', { class: 'col-type' }, ` ${col.type}`),
          col.isPrimaryKey ? h('abbr', { class: 'badge', title: 'primary key' }, 'PK') : null,
          fk ? h('span', { class: 'fk-ref' }, ` → ${fk.refTable}${fk.refColumn === '' ? '' : `.${fk.refColumn}`}`) : null,
        );
      }),
    ),
  );
}

/** The raw text with every line that carries a foreign key wrapped in <mark>. */
function rawSchema(text) {
  const pre = h('pre', { class: 'schema-raw' });
  for (const line of text.split('\n')) {
    pre.append(/\bREFERENCES\b|\bFOREIGN\s+KEY\b/i.test(line) ? h('mark', { class: 'fk-line' }, line) : line, '\n');
  }
  return pre;
}

export function renderSchema(text) {
  const { tables, foreignKeys, isTruncated } = parseSchemaInfo(text);
  return h(
    'details',
    { class: 'schema', id: 'schema-details' },
    h('summary', null, `Schema: ${tables.length} table${tables.length === 1 ? '' : 's'}, ${foreignKeys.length} foreign key${foreignKeys.length === 1 ? '' : 's'}${isTruncated ? ' (truncated)' : ''}`),
    h('ul', { class: 'schema-tables' }, tables.map((t) => tableItem(t, foreignKeys))),
    foreignKeys.length === 0
      ? null
      : h('div', { class: 'fk-list' }, h('h4', null, 'Foreign keys'), h('ul', null, foreignKeys.map((fk) => h('li', null, h('code', null, fkLabel(fk)))))),
    h('details', { class: 'schema-raw-wrap' }, h('summary', null, 'schema_info as the model sees it'), rawSchema(text)),
  );
}
