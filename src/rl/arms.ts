import { REPAIR_ARMS } from '../env/index.js';
import type { ErrorClass } from './error-class.js';
import { buildPromptFrom, PROMPT_TEMPLATES, PROMPT_VERSION, type BuiltPrompt, type PromptInput, type PromptTemplate } from './prompt-templates.js';
import type { ProbeKind } from './probes.js';
import { analyzeSql, type SqlShape } from './sql-shape.js';

/** The repair arms (repair-policy.md §4), as the wire contract names them. This order is the bandit's arm index and its tie-break order. */
export const ARM_NAMES = REPAIR_ARMS;

export type ArmName = (typeof ARM_NAMES)[number];

/** The first-attempt prompt; not a bandit arm. */
export const GENERATE = 'generate';

export type PromptName = ArmName | typeof GENERATE;

/** What feasibility looks at: the diagnosis, the failing query's shape and the database size. */
export interface ArmContext {
  errorClass: ErrorClass | string;
  token?: string;
  /** The failing SQL; null when the model produced none. */
  sql: string | null;
  /** analyzeSql(sql), undefined without SQL. */
  shape?: SqlShape;
  tableCount: number;
}

export interface RepairArm {
  readonly name: PromptName;
  readonly description: string;
  /** Service-side probes run before the prompt is built (probes.ts). */
  readonly probes: readonly ProbeKind[];
  readonly template: PromptTemplate;
  readonly promptVersion: string;
  /** The action mask entry: whether the arm makes sense for this failure. */
  isFeasible(ctx: ArmContext): boolean;
  buildPrompt(input: PromptInput): BuiltPrompt;
}

/** Builds an ArmContext, analysing the SQL once. */
export function armContextOf(diagnosis: { errorClass: string; token?: string }, sql: string | null, tableCount: number): ArmContext {
  const hasSql = sql !== null && sql.trim() !== '';
  return {
    errorClass: diagnosis.errorClass,
    token: diagnosis.token === '' ? undefined : diagnosis.token,
    sql: hasSql ? sql : null,
    shape: hasSql ? analyzeSql(sql) : undefined,
    tableCount,
  };
}

const NAME_CLASSES = new Set<string>(['UNKNOWN_TABLE', 'UNKNOWN_COLUMN', 'AMBIGUOUS_REFERENCE', 'UNKNOWN_FUNCTION', 'GROUPING', 'SYNTAX']);
const RESULT_CLASSES = new Set<string>(['EMPTY_RESULT', 'WRONG_RESULT']);
const NOT_ERRORS = new Set<string>(['EMPTY_RESULT', 'WRONG_RESULT', 'TIMEOUT', 'REJECTED']);

const hasSql = (c: ArmContext): c is ArmContext & { sql: string; shape: SqlShape } => c.sql !== null && c.shape !== undefined;

const FEASIBLE: Record<ArmName, (c: ArmContext) => boolean> = {
  FIX_IDENTIFIER: (c) => hasSql(c) && c.token !== undefined && NAME_CLASSES.has(c.errorClass),
  FIX_JOIN_PATH: (c) => hasSql(c) && c.tableCount >= 2,
  FIX_SYNTAX_DIALECT: (c) => hasSql(c) && !NOT_ERRORS.has(c.errorClass),
  FIX_AGGREGATION: (c) => hasSql(c) && (c.errorClass === 'GROUPING' || c.shape.aggregates > 0 || c.shape.hasGroupBy || c.shape.hasHaving),
  PROBE_VALUES: (c) => hasSql(c) && c.shape.literalComparisons.length > 0,
  RELAX_FILTERS: (c) => hasSql(c) && c.errorClass === 'EMPTY_RESULT' && (c.shape.predicates > 0 || c.shape.joins > 0),
  FIX_PROJECTION: (c) => hasSql(c) && (RESULT_CLASSES.has(c.errorClass) || c.errorClass === 'QUERY_SHAPE'),
  EXPLAIN_AND_VERIFY: (c) => hasSql(c),
  DECOMPOSE_CTE: (c) => hasSql(c),
  REGENERATE: () => true,
};

const DESCRIPTIONS: Record<PromptName, string> = {
  generate: 'First attempt: write a query for the question from the schema.',
  FIX_IDENTIFIER: 'Replace the unknown or ambiguous name with the best schema match (top-3 fuzzy candidates, PostgreSQL HINT).',
  FIX_JOIN_PATH: 'Repair JOIN … ON along the foreign-key paths between the referenced tables; qualify ambiguous columns.',
  FIX_SYNTAX_DIALECT: 'Minimal edit into valid SQL of the named dialect, without touching identifiers or literals.',
  FIX_AGGREGATION: 'WHERE → HAVING, GROUP BY columns, nested aggregates, COUNT(DISTINCT).',
  PROBE_VALUES: 'Rewrite filter literals to values the service found stored in the filtered columns.',
  RELAX_FILTERS: 'For an empty result: the service drops each predicate in turn and reports which one empties the result.',
  FIX_PROJECTION: 'SELECT list, DISTINCT, ORDER BY direction and LIMIT versus the question.',
  EXPLAIN_AND_VERIFY: 'Explain the query clause by clause, judge its result rows against the question, then fix.',
  DECOMPOSE_CTE: 'Rebuild the query as one WITH step per sub-question and a final SELECT.',
  REGENERATE: 'Discard the query and write a new one from the question and schema (the costliest arm).',
};

const PROBES: Partial<Record<PromptName, readonly ProbeKind[]>> = {
  FIX_JOIN_PATH: ['join-paths'],
  PROBE_VALUES: ['values'],
  RELAX_FILTERS: ['filters'],
};

function makeArm(name: PromptName, isFeasible: (c: ArmContext) => boolean): RepairArm {
  const template = PROMPT_TEMPLATES[name];
  const promptVersion = PROMPT_VERSION[name];
  if (template === undefined || promptVersion === undefined) throw new Error(`no prompt template for arm '${name}'`);
  return Object.freeze({
    name,
    description: DESCRIPTIONS[name],
    probes: PROBES[name] ?? [],
    template,
    promptVersion,
    isFeasible,
    buildPrompt: (input: PromptInput) => buildPromptFrom(template, input),
  });
}

/** The ten repair arms by name. */
export const ARMS: Readonly<Record<ArmName, RepairArm>> = Object.freeze(
  Object.fromEntries(ARM_NAMES.map((n) => [n, makeArm(n, FEASIBLE[n])])) as Record<ArmName, RepairArm>,
);

/** The first-attempt prompt as an arm-shaped object (always feasible). */
export const GENERATE_ARM: RepairArm = makeArm(GENERATE, () => true);

/** The arm (or 'generate') of that name; undefined for an unknown name. */
export function armByName(name: string): RepairArm | undefined {
  if (name === GENERATE) return GENERATE_ARM;
  return (ARM_NAMES as readonly string[]).includes(name) ? ARMS[name as ArmName] : undefined;
}

/** The action mask in ARM_NAMES order. REGENERATE is always feasible, so the mask is never all false. */
export function feasibilityMask(ctx: ArmContext): boolean[] {
  return ARM_NAMES.map((n) => ARMS[n].isFeasible(ctx));
}
