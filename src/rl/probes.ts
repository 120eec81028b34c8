import type { Cell, ColumnInfo, DbSchema, ExecResult, SqlEngine, TableInfo } from '../env/index.js';
import { armByName, type RepairArm } from './arms.js';
import { joinClause, joinEdges, shortestJoinPath } from './join-graph.js';
import { findTable, similarity, type Candidate } from './schema-match.js';
import { analyzeSql, type LiteralComparison, type SqlShape } from './sql-shape.js';
import { innerToLeftJoins, whereClause, withConjuncts } from './sql-rewrite.js';

/** A service-side probe an arm needs before its prompt is built. */
export type ProbeKind = 'values' | 'filters' | 'join-paths';

/** What one probe found, as prompt-ready lines. */
export interface ProbeOutput {
  kind: ProbeKind;
  title: string;
  lines: string[];
  /** Queries it ran on the database. */
  queries: number;
}

export interface ProbeContext {
  database: string;
  /** The failing SQL. */
  sql: string | null;
  schema: DbSchema;
  diagnosis?: { errorClass: string; candidates: readonly Candidate[] };
  /** Run probes as the episode's queries run (Spider data). */
  legacyDoubleQuotes?: boolean;
  /** Per probe query; default PROBE_TIMEOUT_MS. */
  timeoutMs?: number;
}

export const PROBE_TIMEOUT_MS = 2000;
export const MAX_VALUE_TARGETS = 3;
export const MAX_RELAXED_PREDICATES = 5;
export const MAX_JOIN_PAIRS = 3;
const CLOSEST_VALUES = 5;
const MAX_NEIGHBOURS = 8;
const VALUE_SAMPLE_ROWS = 50;
const SHOWN_CHARS = 60;

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const quoteText = (text: string): string => `'${text.replaceAll("'", "''")}'`;

function showCell(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return 'NULL';
  const text = String(cell).length > SHOWN_CHARS ? `${String(cell).slice(0, SHOWN_CHARS)}…` : String(cell);
  return typeof cell === 'number' ? text : quoteText(text);
}

function execute(engine: SqlEngine, ctx: ProbeContext, sql: string, maxRows: number): Promise<ExecResult> {
  return engine.execute(ctx.database, sql, {
    timeoutMs: ctx.timeoutMs ?? PROBE_TIMEOUT_MS,
    maxRows,
    legacyDoubleQuotes: ctx.legacyDoubleQuotes ?? false,
  });
}

const isNumericType = (type: string): boolean => /INT|REAL|FLOA|DOUB|NUM|DEC/i.test(type);

interface ValueTarget {
  table: TableInfo;
  column: ColumnInfo;
  literals: LiteralComparison[];
}

function tableOf(comparison: LiteralComparison, shape: SqlShape, schema: DbSchema): TableInfo | undefined {
  const has = (t: TableInfo | undefined): boolean => t?.columns.some((c) => c.name.toLowerCase() === comparison.column.toLowerCase()) === true;
  if (comparison.qualifier !== undefined) {
    const aliased = shape.aliases[comparison.qualifier.toLowerCase()];
    const table = findTable(schema, aliased !== undefined && aliased !== '' ? aliased : comparison.qualifier);
    return has(table) ? table : undefined;
  }
  const inQuery = shape.tables.map((t) => findTable(schema, t)).find(has);
  return inQuery ?? schema.tables.find(has);
}

function valueTargets(shape: SqlShape, schema: DbSchema): ValueTarget[] {
  const targets: ValueTarget[] = [];
  for (const comparison of shape.literalComparisons) {
    const table = tableOf(comparison, shape, schema);
    const column = table?.columns.find((c) => c.name.toLowerCase() === comparison.column.toLowerCase());
    if (table === undefined || column === undefined) continue;
    const known = targets.find((t) => t.table === table && t.column === column);
    if (known !== undefined) known.literals.push(comparison);
    else if (targets.length < MAX_VALUE_TARGETS) targets.push({ table, column, literals: [comparison] });
  }
  return targets;
}

async function numericRange(engine: SqlEngine, ctx: ProbeContext, t: ValueTarget): Promise<string> {
  const col = quoteIdent(t.column.name);
  const r = await execute(engine, ctx, `SELECT min(${col}), max(${col}), count(DISTINCT ${col}) FROM ${quoteIdent(t.table.name)}`, 1);
  if (!r.ok) return `could not read the range (${r.message})`;
  const [min, max, distinct] = r.rows[0] ?? [];
  return `stored values range from ${showCell(min)} to ${showCell(max)} (${showCell(distinct)} distinct)`;
}

async function textMatches(engine: SqlEngine, ctx: ProbeContext, t: ValueTarget, literal: string): Promise<{ text: string; queries: number }> {
  const col = quoteIdent(t.column.name);
  const from = quoteIdent(t.table.name);
  const needle = literal.split('%').reduce((a, b) => (b.length > a.length ? b : a), '');
  const find = engine.dialect === 'postgres' ? 'strpos' : 'instr';
  const parts: string[] = [];
  let queries = 0;
  if (needle.trim() !== '') {
    queries += 1;
    const hit = await execute(engine, ctx, `SELECT DISTINCT ${col} FROM ${from} WHERE ${find}(lower(CAST(${col} AS TEXT)), lower(${quoteText(needle)})) > 0 LIMIT ${CLOSEST_VALUES}`, CLOSEST_VALUES);
    if (hit.ok) parts.push(hit.rowCount === 0 ? `no stored value contains ${quoteText(needle)}` : `stored values containing it: ${hit.rows.map((r) => showCell(r[0])).join(', ')}`);
  }
  queries += 1;
  const sample = await execute(engine, ctx, `SELECT ${col}, count(*) FROM ${from} WHERE ${col} IS NOT NULL GROUP BY ${col} ORDER BY count(*) DESC LIMIT ${VALUE_SAMPLE_ROWS}`, VALUE_SAMPLE_ROWS);
  if (sample.ok) {
    const closest = sample.rows
      .map((r) => ({ cell: r[0] ?? null, score: similarity(literal, String(r[0])) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, CLOSEST_VALUES);
    parts.push(`closest of the ${sample.rowCount} most common values: ${closest.map((c) => showCell(c.cell)).join(', ')}`);
  } else parts.push(`could not sample values (${sample.message})`);
  return { text: parts.join('; '), queries };
}

/** PROBE_VALUES: the stored values near each literal the failing query compares a column with. */
export async function probeValues(ctx: ProbeContext, engine: SqlEngine): Promise<ProbeOutput> {
  const title = 'Stored values of the filtered columns';
  const targets = ctx.sql === null ? [] : valueTargets(analyzeSql(ctx.sql), ctx.schema);
  if (targets.length === 0) return { kind: 'values', title, lines: ['The query compares no known column with a literal value.'], queries: 0 };
  const lines: string[] = [];
  let queries = 0;
  for (const t of targets) {
    const written = t.literals.map((l) => `${l.op} ${l.isNumber ? l.literal : quoteText(l.literal)}`).join(', ');
    const head = `${t.table.name}.${t.column.name} (${t.column.type || 'untyped'}) ${written}`;
    if (isNumericType(t.column.type)) {
      queries += 1;
      lines.push(`${head}: ${await numericRange(engine, ctx, t)}`);
    } else {
      const found = await textMatches(engine, ctx, t, (t.literals[0] as LiteralComparison).literal);
      queries += found.queries;
      lines.push(`${head}: ${found.text}`);
    }
  }
  return { kind: 'values', title, lines, queries };
}

function describeRun(r: ExecResult): string {
  if (!r.ok) return `fails (${r.message})`;
  if (r.rowCount === 0) return 'still no rows';
  return `${r.rowCount}${r.isTruncated ? '+' : ''} row(s), first: (${(r.rows[0] ?? []).map(showCell).join(', ')})`;
}

/** RELAX_FILTERS: re-runs the query with each top-level WHERE conjunct dropped, and with inner joins made LEFT. */
export async function probeFilters(ctx: ProbeContext, engine: SqlEngine): Promise<ProbeOutput> {
  const title = 'The failing query re-run with its filters relaxed';
  const sql = ctx.sql ?? '';
  const clause = whereClause(sql);
  const variants: { label: string; sql: string; conjunct?: string }[] = [];
  const conjuncts = clause?.conjuncts.slice(0, MAX_RELAXED_PREDICATES) ?? [];
  if (clause !== undefined) {
    conjuncts.forEach((c, i) => variants.push({ label: `without \`${c}\``, sql: withConjuncts(sql, clause, clause.conjuncts.filter((_, j) => j !== i)), conjunct: c }));
    if (clause.conjuncts.length > 1) variants.push({ label: 'without any WHERE filter', sql: withConjuncts(sql, clause, []) });
  }
  const left = innerToLeftJoins(sql);
  if (left !== undefined) variants.push({ label: 'with every inner JOIN made a LEFT JOIN', sql: left });
  if (variants.length === 0) return { kind: 'filters', title, lines: ['The query has no WHERE filter or inner join to relax.'], queries: 0 };
  const lines: string[] = [];
  const culprits: string[] = [];
  for (const v of variants) {
    const r = await execute(engine, ctx, v.sql, 3);
    lines.push(`${v.label}: ${describeRun(r)}`);
    if (r.ok && r.rowCount > 0 && v.conjunct !== undefined) culprits.push(`\`${v.conjunct}\``);
  }
  const verdict = culprits.length > 0 ? `Dropping only ${culprits.join(' or ')} brings rows back.` : 'No single filter explains the empty result.';
  return { kind: 'filters', title, lines: [verdict, ...lines], queries: variants.length };
}

function joinTargets(ctx: ProbeContext): string[] {
  const names = ctx.sql === null ? [] : [...analyzeSql(ctx.sql).tables];
  const d = ctx.diagnosis;
  if (d !== undefined && ['UNKNOWN_COLUMN', 'AMBIGUOUS_REFERENCE', 'UNKNOWN_TABLE'].includes(d.errorClass)) {
    const top = d.candidates[0]?.name;
    if (top !== undefined) names.push(d.errorClass === 'UNKNOWN_TABLE' ? top : (top.split('.')[0] as string));
  }
  const tables = names.map((n) => findTable(ctx.schema, n)?.name).filter((n): n is string => n !== undefined);
  return [...new Set(tables)].slice(0, 4);
}

/** FIX_JOIN_PATH: shortest foreign-key paths between the referenced tables, each checked for joined rows. */
export async function probeJoinPaths(ctx: ProbeContext, engine: SqlEngine): Promise<ProbeOutput> {
  const title = 'Join paths between the tables the query needs';
  const edges = joinEdges(ctx.schema);
  const tables = joinTargets(ctx);
  const lines: string[] = [];
  if (tables.length === 1) {
    const own = edges.filter((e) => e.from === tables[0]).slice(0, MAX_NEIGHBOURS);
    lines.push(own.length === 0 ? `${tables[0]} has no foreign-key links.` : `${tables[0]} links to: ${own.map((e) => `${e.to} ON ${e.to}.${e.toColumn} = ${e.from}.${e.fromColumn}`).join('; ')}`);
  }
  let queries = 0;
  const pairs = tables.flatMap((a, i) => tables.slice(i + 1).map((b) => [a, b] as const)).slice(0, MAX_JOIN_PAIRS);
  for (const [a, b] of pairs) {
    const path = shortestJoinPath(edges, a, b);
    if (path === undefined) {
      lines.push(`${a} → ${b}: no foreign-key path`);
      continue;
    }
    queries += 1;
    const r = await execute(engine, ctx, `SELECT 1 FROM ${joinClause(path, quoteIdent)} LIMIT 1`, 1);
    const check = !r.ok ? `check failed: ${r.message}` : r.rowCount > 0 ? 'joined rows exist' : 'the join has no rows';
    const inferred = path.some((e) => !e.isDeclared) ? ', partly inferred from column names' : '';
    lines.push(`${a} → ${b}: ${joinClause(path, (n) => n)} (${check}${inferred})`);
  }
  if (lines.length === 0) lines.push('The query names no table of the schema.');
  return { kind: 'join-paths', title, lines, queries };
}

const RUNNERS: Record<ProbeKind, (ctx: ProbeContext, engine: SqlEngine) => Promise<ProbeOutput>> = {
  values: probeValues,
  filters: probeFilters,
  'join-paths': probeJoinPaths,
};

/**
 * Runs the probes an arm needs, in order, on the real database through `engine.execute` (the guard, timeout and
 * row caps of agent SQL apply; each probe runs at most a handful of small queries). An arm without probes, an
 * unknown arm name or a context without SQL gives []. Infrastructure errors (unknown database) propagate.
 */
export async function runProbes(arm: RepairArm | string, ctx: ProbeContext, engine: SqlEngine): Promise<ProbeOutput[]> {
  const resolved = typeof arm === 'string' ? armByName(arm) : arm;
  if (resolved === undefined || ctx.sql === null || ctx.sql.trim() === '') return [];
  const outputs: ProbeOutput[] = [];
  for (const kind of resolved.probes) outputs.push(await RUNNERS[kind](ctx, engine));
  return outputs;
}
