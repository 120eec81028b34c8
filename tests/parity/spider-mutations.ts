import { tokenizeSql, type SqlToken } from '../../src/env/grade/sql-text.js';

/** A named way to turn a gold query into a plausible wrong (or equivalent) prediction; undefined = not applicable. */
export type Mutation = (sql: string) => string | undefined;

interface Located extends SqlToken {
  depth: number;
  start: number;
  lower: string;
}

function locate(sql: string): Located[] {
  const out: Located[] = [];
  let depth = 0;
  let start = 0;
  for (const t of tokenizeSql(sql)) {
    if (t.text === ')') depth -= 1;
    out.push({ ...t, depth, start, lower: t.kind === 'word' ? t.text.toLowerCase() : '' });
    if (t.text === '(') depth += 1;
    start += t.text.length;
  }
  return out;
}

const SET_OPS = new Set(['union', 'intersect', 'except']);
const AFTER_WHERE = new Set(['group', 'order', 'limit', 'having', ...SET_OPS]);

function findTop(tokens: Located[], word: string, from = 0): number {
  return tokens.findIndex((t, i) => i >= from && t.depth === 0 && t.lower === word);
}

function splice(sql: string, start: number, end: number, text: string): string {
  return sql.slice(0, start) + text + sql.slice(end);
}

/** [start, end) of each top-level item of the first SELECT list. */
function selectItems(sql: string): { start: number; end: number }[] | undefined {
  const tokens = locate(sql);
  const select = findTop(tokens, 'select');
  const from = findTop(tokens, 'from', select + 1);
  if (select === -1 || from === -1) return undefined;
  let first = select + 1;
  while (tokens[first]?.kind === 'space') first += 1;
  if (tokens[first]?.lower === 'distinct') first += 1;
  const items: { start: number; end: number }[] = [];
  let itemStart = tokens[first]?.start ?? 0;
  for (let i = first; i < from; i++) {
    const t = tokens[i] as Located;
    if (t.depth === 0 && t.text === ',') {
      items.push({ start: itemStart, end: t.start });
      itemStart = t.start + 1;
    }
  }
  items.push({ start: itemStart, end: tokens[from]?.start ?? 0 });
  return items;
}

const swapColumns: Mutation = (sql) => {
  const items = selectItems(sql);
  if (items === undefined || items.length < 2) return undefined;
  const texts = items.map((it) => sql.slice(it.start, it.end).trim());
  const first = items[0] as { start: number };
  const last = items[items.length - 1] as { end: number };
  return splice(sql, first.start, last.end, ` ${texts.reverse().join(' , ')} `);
};

const dropDistinct: Mutation = (sql) => {
  const tokens = locate(sql);
  if (!tokens.some((t) => t.lower === 'distinct')) return undefined;
  return tokens.filter((t) => t.lower !== 'distinct').map((t) => t.text).join('');
};

const addDistinct: Mutation = (sql) => {
  const tokens = locate(sql);
  const select = findTop(tokens, 'select');
  if (select === -1 || tokens.some((t) => t.lower === 'distinct')) return undefined;
  const at = (tokens[select] as Located).start + 6;
  return splice(sql, at, at, ' DISTINCT');
};

const flipOrder: Mutation = (sql) => {
  const tokens = locate(sql);
  const dir = tokens.find((t) => t.lower === 'desc' || t.lower === 'asc');
  if (dir !== undefined) return splice(sql, dir.start, dir.start + dir.text.length, dir.lower === 'desc' ? 'ASC' : 'DESC');
  const order = findTop(tokens, 'order');
  if (order === -1 || tokens.some((t) => t.depth === 0 && SET_OPS.has(t.lower))) return undefined;
  const limit = findTop(tokens, 'limit', order);
  const end = limit === -1 ? sql.replace(/[\s;]+$/, '').length : (tokens[limit] as Located).start;
  return splice(sql, end, end, ' DESC ');
};

const changeLiteral: Mutation = (sql) => {
  const literal = locate(sql).find((t) => t.kind === 'number' || t.kind === 'string');
  if (literal === undefined) return undefined;
  const end = literal.start + literal.text.length;
  if (literal.kind === 'number') return splice(sql, literal.start, end, String(Number(literal.text) + 1));
  return splice(sql, end - 1, end - 1, 'x');
};

const removeWhere: Mutation = (sql) => {
  const tokens = locate(sql);
  const where = findTop(tokens, 'where');
  if (where === -1) return undefined;
  const next = tokens.findIndex((t, i) => i > where && t.depth === 0 && AFTER_WHERE.has(t.lower));
  const end = next === -1 ? sql.length : (tokens[next] as Located).start;
  return splice(sql, (tokens[where] as Located).start, end, ' ');
};

const castFirstToFloat: Mutation = (sql) => {
  const first = selectItems(sql)?.[0];
  if (first === undefined) return undefined;
  const text = sql.slice(first.start, first.end);
  if (/\bas\b/i.test(text) || text.trim() === '*' || /\.\*/.test(text)) return undefined;
  return splice(sql, first.start, first.end, ` (${text.trim()}) * 1.0 `);
};

const extraColumn: Mutation = (sql) => {
  const items = selectItems(sql);
  const first = items?.[0];
  const last = items?.[items.length - 1];
  if (first === undefined || last === undefined) return undefined;
  return splice(sql, last.end, last.end, ` , ${sql.slice(first.start, first.end).trim()} `);
};

/** The mutations of the parity check, by name; `identity` is the gold itself. */
export const MUTATIONS: Record<string, Mutation> = {
  identity: (sql) => sql,
  swapColumns,
  dropDistinct,
  addDistinct,
  flipOrder,
  changeLiteral,
  removeWhere,
  castFirstToFloat,
  extraColumn,
};
