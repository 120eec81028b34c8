import { tokenizeSql } from './sql-text.js';

/** Spider's difficulty levels (grading.md §1.3). */
export type SpiderHardness = 'easy' | 'medium' | 'hard' | 'extra';

/** The three counts `eval_hardness` classifies by, read from the top-level query only. */
export interface HardnessCounts {
  comp1: number;
  comp2: number;
  others: number;
}

interface Tok {
  text: string;
  /** Lowercased; string and quoted tokens keep a marker so they never read as keywords. */
  key: string;
}

interface Cond {
  isNot: boolean;
  op: string;
  nested: number;
}

interface Conditions {
  conds: Cond[];
  connectives: string[];
}

const AGG_OPS = new Set(['max', 'min', 'count', 'sum', 'avg']);
const CLAUSES = new Set(['select', 'from', 'where', 'group', 'having', 'order', 'limit']);
const SET_OPS = new Set(['union', 'intersect', 'except']);
const WHERE_OPS = new Set(['between', '=', '==', '>', '<', '>=', '<=', '!=', '<>', 'in', 'like', 'glob', 'is', 'exists']);
const NOT_ABLE_OPS = new Set(['in', 'like', 'between', 'exists']);

function significantTokens(sql: string): Tok[] {
  return tokenizeSql(sql)
    .filter((t) => t.kind !== 'space' && t.kind !== 'comment')
    .map((t) => ({ text: t.text, key: t.kind === 'string' || t.kind === 'quoted' ? `\u0000${t.text}` : t.text.toLowerCase() }));
}

/** Calls `visit(token, index, depth)` for each token; depth counts enclosing parentheses before the token. */
function walk(toks: Tok[], visit: (t: Tok, i: number, depth: number) => boolean | void): void {
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as Tok;
    if (t.key === ')') depth -= 1;
    if (visit(t, i, depth) === true) return;
    if (t.key === '(') depth += 1;
  }
}

/** Splits at depth-0 tokens for which `isSeparator` holds; the separators are dropped. */
function splitTop(toks: Tok[], isSeparator: (key: string) => boolean): Tok[][] {
  const parts: Tok[][] = [[]];
  walk(toks, (t, _i, depth) => {
    if (depth === 0 && isSeparator(t.key)) parts.push([]);
    else parts[parts.length - 1]?.push(t);
  });
  return parts.filter((p) => p.length > 0);
}

function startsWithAgg(item: Tok[]): boolean {
  return AGG_OPS.has(item[0]?.key ?? '') && item[1]?.key === '(';
}

function countTopAggs(item: Tok[]): number {
  let count = 0;
  walk(item, (t, i, depth) => {
    if (depth === 0 && AGG_OPS.has(t.key) && item[i + 1]?.key === '(') count += 1;
  });
  return Math.min(count, 2);
}

function parseCond(toks: Tok[]): Cond {
  let opIndex = -1;
  walk(toks, (t, i, depth) => {
    if (depth === 0 && WHERE_OPS.has(t.key)) opIndex = i;
    return opIndex !== -1;
  });
  const op = toks[opIndex]?.key ?? '';
  const isNot = opIndex > 0 && toks[opIndex - 1]?.key === 'not' && NOT_ABLE_OPS.has(op);
  let nested = 0;
  walk(toks.slice(opIndex + 1), (t, _i, depth) => {
    if (t.key === 'select' && depth <= 1) nested += 1;
  });
  return { isNot, op, nested };
}

/** Spider's condition list: units split at depth-0 AND/OR, where the AND of a BETWEEN belongs to its unit. */
function parseConditions(toks: Tok[]): Conditions {
  const result: Conditions = { conds: [], connectives: [] };
  let current: Tok[] = [];
  let isBetweenOpen = false;
  walk(toks, (t, _i, depth) => {
    if (depth === 0 && t.key === 'between') isBetweenOpen = true;
    if (depth === 0 && (t.key === 'and' || t.key === 'or') && !(t.key === 'and' && isBetweenOpen)) {
      if (current.length > 0) result.conds.push(parseCond(current));
      result.connectives.push(t.key);
      current = [];
      return;
    }
    if (depth === 0 && t.key === 'and') isBetweenOpen = false;
    current.push(t);
  });
  if (current.length > 0) result.conds.push(parseCond(current));
  return result;
}

/** Clause name → its tokens (keyword and BY excluded), for one SELECT block at depth 0. */
function clauses(block: Tok[]): Map<string, Tok[]> {
  const found = new Map<string, Tok[]>();
  let name = '';
  walk(block, (t, i, depth) => {
    if (depth === 0 && CLAUSES.has(t.key) && !found.has(t.key)) {
      name = t.key;
      found.set(name, []);
      return;
    }
    const isBy = t.key === 'by' && depth === 0 && (name === 'group' || name === 'order') && found.get(name)?.length === 0;
    if (name !== '' && !isBy) found.get(name)?.push(t);
  });
  return found;
}

interface FromPart {
  tableUnits: number;
  conditions: Conditions;
}

function parseFrom(toks: Tok[]): FromPart {
  const units = splitTop(toks, (k) => k === 'join' || k === ',');
  const conditions: Conditions = { conds: [], connectives: [] };
  for (const unit of units) {
    const onAt = unit.findIndex((t) => t.key === 'on');
    if (onAt === -1) continue;
    const on = parseConditions(unit.slice(onAt + 1));
    if (conditions.conds.length > 0 && on.conds.length > 0) conditions.connectives.push('and');
    conditions.conds.push(...on.conds);
    conditions.connectives.push(...on.connectives);
  }
  return { tableUnits: units.length, conditions };
}

/** The top-level SELECT block and whether an INTERSECT/UNION/EXCEPT follows it. */
function topBlock(toks: Tok[]): { block: Tok[]; hasSetOp: boolean } {
  let end = toks.length;
  while (end > 0 && toks[end - 1]?.key === ';') end -= 1;
  let body = toks.slice(0, end);
  if (body[0]?.key === '(' && body[1]?.key === 'select') {
    let close = -1;
    walk(body, (t, i, depth) => {
      if (t.key === ')' && depth === 0) close = i;
      return close !== -1;
    });
    const rest = close === -1 ? [] : body.slice(close + 1);
    body = close === -1 ? body.slice(1) : body.slice(1, close);
    return { block: body, hasSetOp: SET_OPS.has(rest[0]?.key ?? '') };
  }
  let setAt = -1;
  walk(body, (t, i, depth) => {
    if (depth === 0 && SET_OPS.has(t.key)) setAt = i;
    return setAt !== -1;
  });
  return setAt === -1 ? { block: body, hasSetOp: false } : { block: body.slice(0, setAt), hasSetOp: true };
}

const EMPTY: Conditions = { conds: [], connectives: [] };

function countOf(items: readonly string[], value: string): number {
  return items.filter((x) => x === value).length;
}

/** comp1 / comp2 / others of `eval_hardness`, computed from the gold SQL text (no schema needed). */
export function hardnessCounts(sql: string): HardnessCounts {
  const { block, hasSetOp } = topBlock(significantTokens(sql));
  const parts = clauses(block);
  const selectToks = (parts.get('select') ?? []).filter((t, i) => !(i === 0 && (t.key === 'distinct' || t.key === 'all')));
  const selectItems = splitTop(selectToks, (k) => k === ',');
  const from = parseFrom(parts.get('from') ?? []);
  const where = parts.has('where') ? parseConditions(parts.get('where') ?? []) : EMPTY;
  const having = parts.has('having') ? parseConditions(parts.get('having') ?? []) : EMPTY;
  const groupBy = splitTop(parts.get('group') ?? [], (k) => k === ',');
  const orderBy = parts.has('order') ? splitTop(parts.get('order') ?? [], (k) => k === ',') : undefined;
  const allConds = [...from.conditions.conds, ...where.conds, ...having.conds];
  const connectives = [...from.conditions.connectives, ...where.connectives, ...having.connectives];

  const comp1 =
    Number(where.conds.length > 0) +
    Number(groupBy.length > 0) +
    Number(orderBy !== undefined) +
    Number(parts.has('limit')) +
    Math.max(0, from.tableUnits - 1) +
    countOf(connectives, 'or') +
    allConds.filter((c) => c.op === 'like').length;
  const comp2 = allConds.reduce((n, c) => n + c.nested, 0) + Number(hasSetOp);
  // why: Spider's count_agg reads unit[0]; for WHERE/HAVING that is the `not` flag, and HAVING is not sliced,
  // so each of its AND/OR strings ('and'[0] != 0) counts as an aggregation too (evaluation.py:count_others).
  const aggCount =
    selectItems.filter(startsWithAgg).length +
    where.conds.filter((c) => c.isNot).length +
    groupBy.filter(startsWithAgg).length +
    (orderBy ?? []).reduce((n, item) => n + countTopAggs(item), 0) +
    having.conds.filter((c) => c.isNot).length +
    having.connectives.length;
  const others =
    Number(aggCount > 1) + Number(selectItems.length > 1) + Number(where.conds.length > 1) + Number(groupBy.length > 1);
  return { comp1, comp2, others };
}

/** Spider's classification of the three counts (grading.md §1.3). */
export function classifyHardness({ comp1, comp2, others }: HardnessCounts): SpiderHardness {
  if (comp1 <= 1 && others === 0 && comp2 === 0) return 'easy';
  if (comp2 === 0 && ((others <= 2 && comp1 <= 1) || (comp1 <= 2 && others < 2))) return 'medium';
  if (
    (comp2 === 0 && others > 2 && comp1 <= 2) ||
    (comp2 === 0 && comp1 > 2 && comp1 <= 3 && others <= 2) ||
    (comp1 <= 1 && others === 0 && comp2 <= 1)
  ) {
    return 'hard';
  }
  return 'extra';
}

/** Spider's easy/medium/hard/extra for a gold query, from its text. Never throws: odd SQL still gets a label. */
export function spiderHardness(sql: string): SpiderHardness {
  return classifyHardness(hardnessCounts(sql));
}
