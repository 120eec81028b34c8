import { whereClause, withConjuncts } from '../sql-rewrite.js';
import { isKeyword, isName, isPunct, tokenize, type Token } from '../sql-tokens.js';
import type { FaultKind } from './fault-kind.js';
import { clauseEnd, cut, keywordPairs, misspell, offsetOf, outerDepth, pick, schemaNames, SET_OPERATORS, splice } from './sql-edit.js';

/** Faults in clauses: GROUP BY, HAVING, ORDER BY, WHERE predicates and literals, result arity. */

const AFTER_GROUP = ['HAVING', 'ORDER', 'LIMIT', 'WINDOW', ...SET_OPERATORS];
const AFTER_HAVING = ['ORDER', 'LIMIT', 'WINDOW', ...SET_OPERATORS];

export const missingGroupBy: FaultKind = {
  name: 'missing-group-by',
  expectedClass: 'WRONG_RESULT',
  description: 'The GROUP BY of an aggregate query left out: SQLite then folds every row into one group.',
  apply(sql, _schema, rng) {
    const tokens = tokenize(sql);
    const depth = outerDepth(tokens);
    const sites = keywordPairs(tokens, 'GROUP', 'BY', depth).filter((i) => !isKeyword(tokens[clauseEnd(tokens, i + 2, depth, AFTER_GROUP)], 'HAVING'));
    const at = pick(sites, rng);
    if (at === undefined) return undefined;
    const end = clauseEnd(tokens, at + 2, depth, AFTER_GROUP);
    return cut(sql, (tokens[at] as Token).start, offsetOf(tokens, end, sql));
  },
};

/** Index of the WHERE of the SELECT that owns the token at `at` (same depth, no set operator in between). */
function ownWhere(tokens: readonly Token[], at: number, depth: number): number {
  for (let i = at - 1; i >= 0; i -= 1) {
    const t = tokens[i] as Token;
    if (t.depth !== depth) continue;
    if (isKeyword(t, 'WHERE')) return i;
    if (isKeyword(t, 'SELECT', ...SET_OPERATORS)) return -1;
  }
  return -1;
}

export const aggregateInWhere: FaultKind = {
  name: 'aggregate-in-where',
  expectedClass: 'GROUPING',
  description: 'The HAVING condition written into WHERE (`WHERE count(*) > 2 GROUP BY …`).',
  apply(sql, _schema, rng) {
    const tokens = tokenize(sql);
    const depth = outerDepth(tokens);
    const sites = tokens.flatMap((t, i) => (t.depth === depth && isKeyword(t, 'HAVING') ? [i] : []));
    const having = pick(sites, rng);
    if (having === undefined) return undefined;
    const end = clauseEnd(tokens, having + 1, depth, AFTER_HAVING);
    const condition = sql.slice((tokens[having + 1] as Token).start, (tokens[end - 1] as Token).end);
    const group = tokens.findLastIndex((t, i) => i < having && t.depth === depth && isKeyword(t, 'GROUP'));
    if (group < 0) return undefined;
    const where = ownWhere(tokens, group, depth);
    const withoutHaving = cut(sql, (tokens[having] as Token).start, offsetOf(tokens, end, sql));
    const groupStart = (tokens[group] as Token).start;
    return where < 0 ? splice(withoutHaving, groupStart, groupStart, `WHERE ${condition} `) : splice(withoutHaving, groupStart, groupStart, `AND ${condition} `);
  },
};

const AFTER_ORDER = ['LIMIT', 'OFFSET', 'WINDOW', ...SET_OPERATORS];

export const wrongOrderDirection: FaultKind = {
  name: 'wrong-order-direction',
  expectedClass: 'WRONG_RESULT',
  description: 'The first ORDER BY term sorted the other way (DESC ↔ ASC, DESC added when none was written).',
  apply(sql, _schema, rng) {
    const tokens = tokenize(sql);
    const depth = outerDepth(tokens);
    const at = pick(keywordPairs(tokens, 'ORDER', 'BY', depth), rng);
    if (at === undefined) return undefined;
    const clause = clauseEnd(tokens, at + 2, depth, AFTER_ORDER);
    const comma = tokens.findIndex((t, i) => i > at + 1 && i < clause && t.depth === depth && isPunct(t, ','));
    const last = tokens[(comma < 0 ? clause : comma) - 1] as Token;
    if (isKeyword(last, 'DESC')) return splice(sql, last.start, last.end, 'ASC');
    if (isKeyword(last, 'ASC')) return splice(sql, last.start, last.end, 'DESC');
    return splice(sql, last.end, last.end, ' DESC');
  },
};

export const dropPredicate: FaultKind = {
  name: 'drop-predicate',
  expectedClass: 'WRONG_RESULT',
  description: 'One top-level WHERE condition forgotten (too many rows).',
  apply(sql, _schema, rng) {
    const clause = whereClause(sql);
    if (clause === undefined || clause.conjuncts.length === 0) return undefined;
    const dropped = Math.floor(rng.next() * clause.conjuncts.length);
    return withConjuncts(sql, clause, clause.conjuncts.filter((_, i) => i !== dropped));
  },
};

function requote(token: Token, value: string): string {
  return token.kind === 'string' ? `'${value.replaceAll("'", "''")}'` : `"${value.replaceAll('"', '""')}"`;
}

export const wrongLiteral: FaultKind = {
  name: 'wrong-literal',
  expectedClass: 'EMPTY_RESULT',
  description: "A compared text value written the way the question says it, not as stored ('france' for 'France', a typo).",
  apply(sql, schema, rng) {
    const names = schemaNames(schema);
    const taken = new Set([...names.tables, ...names.columns]);
    const tokens = tokenize(sql);
    // why: Spider gold writes text literals in double quotes, which only legacy double-quote SQLite reads as text.
    const isText = (t: Token): boolean => t.kind === 'string' || (t.kind === 'quoted' && !taken.has(t.value.toLowerCase()));
    const sites = tokens.filter((t, i) => isText(t) && /[A-Za-z]/.test(t.value) && !t.value.includes('%') && isPunct(tokens[i - 1], '=') && isName(tokens[i - 2]));
    const site = pick(sites, rng);
    if (site === undefined) return undefined;
    const recased = site.value === site.value.toLowerCase() ? site.value.toUpperCase() : site.value.toLowerCase();
    const value = rng.next() < 0.5 ? recased : (misspell(site.value, rng, taken) ?? recased);
    return splice(sql, site.start, site.end, requote(site, value));
  },
};

/** `(` tokens that open a subquery used as a value (`IN (SELECT`, `= (SELECT`), not a FROM item or EXISTS. */
function valueSubqueries(tokens: readonly Token[]): number[] {
  return tokens.flatMap((t, i) => (isPunct(t, '(') && isKeyword(tokens[i + 1], 'SELECT') && !isKeyword(tokens[i - 1], 'FROM', 'JOIN', 'EXISTS', 'AS') && !isPunct(tokens[i - 1], ',', '(') ? [i + 1] : []));
}

export const columnCountMismatch: FaultKind = {
  name: 'column-count-mismatch',
  expectedClass: 'QUERY_SHAPE',
  description: 'An extra result column on one side of UNION/INTERSECT/EXCEPT or in an `IN (SELECT …)` subquery.',
  apply(sql, _schema, rng) {
    const tokens = tokenize(sql);
    const depth = outerDepth(tokens);
    const isCompound = tokens.some((t) => t.depth === depth && isKeyword(t, ...SET_OPERATORS));
    const firstSelect = tokens.findIndex((t) => t.depth === depth && isKeyword(t, 'SELECT'));
    const selects = [...valueSubqueries(tokens), ...(isCompound && firstSelect >= 0 ? [firstSelect] : [])];
    const select = pick(selects, rng);
    if (select === undefined) return undefined;
    const d = (tokens[select] as Token).depth;
    const from = clauseEnd(tokens, select + 1, d, ['FROM', 'WHERE', 'GROUP', 'ORDER', 'LIMIT', ...SET_OPERATORS]);
    let first = select + 1;
    if (isKeyword(tokens[first], 'DISTINCT', 'ALL')) first += 1;
    const comma = tokens.findIndex((t, i) => i >= first && i < from && t.depth === d && isPunct(t, ','));
    const itemEnd = tokens[(comma < 0 ? from : comma) - 1];
    if (itemEnd === undefined || first >= from) return undefined;
    const item = sql.slice((tokens[first] as Token).start, itemEnd.end);
    const at = (tokens[from - 1] as Token).end;
    return splice(sql, at, at, `, ${item}`);
  },
};
