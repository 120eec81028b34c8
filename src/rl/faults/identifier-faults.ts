import type { DbSchema } from '../../env/index.js';
import { analyzeSql } from '../sql-shape.js';
import { isKeyword, isName, isPunct, tokenize, type Token } from '../sql-tokens.js';
import type { FaultKind } from './fault-kind.js';
import { clauseEnd, cut, misspell, offsetOf, pick, schemaNames, splice } from './sql-edit.js';

/** Faults in names: misspelled column or table, a forgotten JOIN, a dropped qualifier, another dialect's function. */

function takenNames(schema: DbSchema, sql: string): Set<string> {
  const names = schemaNames(schema);
  return new Set([...names.tables, ...names.columns, ...Object.keys(analyzeSql(sql).aliases)]);
}

function replaceToken(sql: string, token: Token, text: string): string {
  return splice(sql, token.start, token.end, text);
}

export const misspellColumn: FaultKind = {
  name: 'misspell-column',
  expectedClass: 'UNKNOWN_COLUMN',
  description: 'A column name with a typo (a letter dropped, swapped or doubled).',
  apply(sql, schema, rng) {
    const names = schemaNames(schema);
    const aliases = new Set(Object.keys(analyzeSql(sql).aliases));
    const tokens = tokenize(sql);
    const sites = tokens.filter((t, i) => {
      const lower = t.value.toLowerCase();
      return (
        t.kind === 'word' &&
        names.columns.has(lower) &&
        !names.tables.has(lower) &&
        !aliases.has(lower) &&
        !isKeyword(tokens[i - 1], 'AS') &&
        !isPunct(tokens[i + 1], '(', '.')
      );
    });
    const site = pick(sites, rng);
    const typo = site === undefined ? undefined : misspell(site.value, rng, takenNames(schema, sql));
    return site === undefined || typo === undefined ? undefined : replaceToken(sql, site, typo);
  },
};

export const misspellTable: FaultKind = {
  name: 'misspell-table',
  expectedClass: 'UNKNOWN_TABLE',
  description: 'A table name after FROM or JOIN with a typo.',
  apply(sql, schema, rng) {
    const names = schemaNames(schema);
    const tokens = tokenize(sql);
    const sites = tokens.filter((t, i) => t.kind === 'word' && names.tables.has(t.value.toLowerCase()) && isKeyword(tokens[i - 1], 'FROM', 'JOIN'));
    const site = pick(sites, rng);
    const typo = site === undefined ? undefined : misspell(site.value, rng, takenNames(schema, sql));
    return site === undefined || typo === undefined ? undefined : replaceToken(sql, site, typo);
  },
};

const JOIN_PREFIXES = ['INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'OUTER'];
const JOIN_ENDERS = ['JOIN', ...JOIN_PREFIXES, 'WHERE', 'GROUP', 'ORDER', 'LIMIT', 'HAVING', 'UNION', 'INTERSECT', 'EXCEPT', 'WINDOW'];

export const missingJoin: FaultKind = {
  name: 'missing-join',
  expectedClass: 'UNKNOWN_TABLE',
  description: 'One `JOIN t AS a ON …` left out while the query still uses `a.col` (the forgotten join table).',
  apply(sql, _schema, rng) {
    const tokens = tokenize(sql);
    const joins = tokens.flatMap((t, i) => (isKeyword(t, 'JOIN') && isName(tokens[i + 1]) ? [i] : []));
    const at = pick(joins, rng);
    if (at === undefined) return undefined;
    let first = at;
    while (isKeyword(tokens[first - 1], ...JOIN_PREFIXES)) first -= 1;
    const end = clauseEnd(tokens, at + 1, (tokens[at] as Token).depth, JOIN_ENDERS);
    return cut(sql, (tokens[first] as Token).start, offsetOf(tokens, end, sql));
  },
};

/** FROM items of a query as the tables they read (an aliased table counts once per alias). */
function fromItemTables(sql: string): string[] {
  const shape = analyzeSql(sql);
  const aliased = Object.values(shape.aliases).filter((t) => t !== '');
  const aliasedLower = new Set(aliased.map((t) => t.toLowerCase()));
  return [...aliased, ...shape.tables.filter((t) => !aliasedLower.has(t.toLowerCase()))].map((t) => t.toLowerCase());
}

export const ambiguousColumn: FaultKind = {
  name: 'ambiguous-column',
  expectedClass: 'AMBIGUOUS_REFERENCE',
  description: 'The qualifier dropped from `a.col` where two joined tables both have `col`.',
  apply(sql, schema, rng) {
    const { columnsOf } = schemaNames(schema);
    const items = fromItemTables(sql);
    const tokens = tokenize(sql);
    const sites = tokens.flatMap((t, i) => {
      const column = tokens[i + 2];
      if (!isName(t) || !isPunct(tokens[i + 1], '.') || column === undefined || !isName(column) || isPunct(tokens[i - 1], '.')) return [];
      const holders = items.filter((table) => columnsOf.get(table)?.has(column.value.toLowerCase()) === true);
      return holders.length >= 2 ? [{ start: t.start, end: column.start }] : [];
    });
    const site = pick(sites, rng);
    return site === undefined ? undefined : splice(sql, site.start, site.end, '');
  },
};

/** Functions of other dialects (or other tools) that models write for SQLite's: name → the look-alike. */
export const FOREIGN_FUNCTIONS: Readonly<Record<string, string>> = Object.freeze({
  COUNT: 'COUNT_BIG', // T-SQL
  AVG: 'MEAN', // pandas / R habit
  MAX: 'GREATEST', // PostgreSQL/MySQL scalar look-alike
  MIN: 'LEAST',
  LENGTH: 'LEN', // T-SQL
  IFNULL: 'NVL', // Oracle
  COALESCE: 'NVL',
  UPPER: 'UCASE', // MySQL
  LOWER: 'LCASE',
  SUBSTR: 'MID',
  INSTR: 'CHARINDEX', // T-SQL
  STRFTIME: 'DATE_FORMAT', // MySQL
});

export const foreignFunction: FaultKind = {
  name: 'foreign-function',
  expectedClass: 'UNKNOWN_FUNCTION',
  description: "A function renamed to another dialect's look-alike (COUNT → COUNT_BIG, LENGTH → LEN, IFNULL → NVL…).",
  apply(sql, _schema, rng) {
    const tokens = tokenize(sql);
    const sites = tokens.filter((t, i) => t.kind === 'word' && FOREIGN_FUNCTIONS[t.value.toUpperCase()] !== undefined && isPunct(tokens[i + 1], '('));
    const site = pick(sites, rng);
    if (site === undefined) return undefined;
    const foreign = FOREIGN_FUNCTIONS[site.value.toUpperCase()] as string;
    return replaceToken(sql, site, site.value === site.value.toLowerCase() ? foreign.toLowerCase() : foreign);
  },
};
