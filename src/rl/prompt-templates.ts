import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Cell, Dialect } from '../env/index.js';
import type { Candidate } from './schema-match.js';
import type { ProbeOutput } from './probes.js';
import { DIALECT_NOTES, type PromptTemplate } from './prompts/common.js';
import { DECOMPOSE_CTE_PROMPT } from './prompts/decompose-cte.js';
import { EXPLAIN_AND_VERIFY_PROMPT } from './prompts/explain-and-verify.js';
import { FIX_AGGREGATION_PROMPT } from './prompts/fix-aggregation.js';
import { FIX_IDENTIFIER_PROMPT } from './prompts/fix-identifier.js';
import { FIX_JOIN_PATH_PROMPT } from './prompts/fix-join-path.js';
import { FIX_PROJECTION_PROMPT } from './prompts/fix-projection.js';
import { FIX_SYNTAX_DIALECT_PROMPT } from './prompts/fix-syntax-dialect.js';
import { GENERATE_PROMPT } from './prompts/generate.js';
import { PROBE_VALUES_PROMPT } from './prompts/probe-values.js';
import { REGENERATE_PROMPT } from './prompts/regenerate.js';
import { RELAX_FILTERS_PROMPT } from './prompts/relax-filters.js';

export type { PromptTemplate } from './prompts/common.js';

const TEMPLATES = [
  GENERATE_PROMPT, FIX_IDENTIFIER_PROMPT, FIX_JOIN_PATH_PROMPT, FIX_SYNTAX_DIALECT_PROMPT, FIX_AGGREGATION_PROMPT,
  PROBE_VALUES_PROMPT, RELAX_FILTERS_PROMPT, FIX_PROJECTION_PROMPT, EXPLAIN_AND_VERIFY_PROMPT, DECOMPOSE_CTE_PROMPT,
  REGENERATE_PROMPT,
];

/** Every prompt template by name (the ten arms and 'generate'). */
export const PROMPT_TEMPLATES: Readonly<Record<string, PromptTemplate>> = Object.freeze(Object.fromEntries(TEMPLATES.map((t) => [t.name, t])));

/** `<name>@v<version>+<first 8 hex of sha256(system, user)>`: names exactly the text a trajectory was prompted with. */
export function templateVersion(t: PromptTemplate): string {
  const hash = createHash('sha256').update(`${t.system}\u0000${t.user}`).digest('hex').slice(0, 8);
  return `${t.name}@v${t.version}+${hash}`;
}

/** The version string of each template, recorded in every prompt built from it. */
export const PROMPT_VERSION: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(TEMPLATES.map((t) => [t.name, templateVersion(t)])));

/** A parsed template: literal text, `{{name}}`, and `{{#name}}…{{/name}}` sections (which may nest). */
type TemplatePart = { kind: 'text'; text: string } | { kind: 'variable'; name: string } | { kind: 'section'; name: string; body: TemplatePart[] };

const TAG = /\{\{([#/]?)(\w+)\}\}/g;

function parseTemplate(text: string): TemplatePart[] {
  const root: TemplatePart[] = [];
  const open: { name: string; body: TemplatePart[] }[] = [];
  let parts = root;
  let last = 0;
  for (const match of text.matchAll(TAG)) {
    const [tag, marker, name = ''] = match;
    if (match.index > last) parts.push({ kind: 'text', text: text.slice(last, match.index) });
    last = match.index + tag.length;
    if (marker === '') {
      parts.push({ kind: 'variable', name });
    } else if (marker === '#') {
      const section = { kind: 'section' as const, name, body: [] };
      parts.push(section);
      open.push(section);
      parts = section.body;
    } else {
      if (open.pop()?.name !== name) throw new Error(`prompt template closes '{{/${name}}}' where it is not open`);
      parts = open.at(-1)?.body ?? root;
    }
  }
  if (open.length > 0) throw new Error(`prompt template leaves '{{#${open.at(-1)?.name ?? ''}}}' open`);
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return root;
}

/**
 * Parsed templates by text. why: rendering with regular expressions (a pass per nesting level, then one for the
 * variables) cost ~3 µs per user message, and one is built for every decision.
 */
const parsedTemplates = new LRUCache<string, TemplatePart[]>({ max: 256 });

/**
 * Fills `{{name}}` placeholders and keeps `{{#name}}…{{/name}}` sections only when `vars.name` is non-empty.
 * Values are inserted once and never re-scanned. Throws on a placeholder with no entry in `vars`, or on a section
 * that is not closed in order (template bugs).
 */
export function renderTemplate(text: string, vars: Readonly<Record<string, string | undefined>>): string {
  let parts = parsedTemplates.get(text);
  if (parts === undefined) {
    parts = parseTemplate(text);
    parsedTemplates.set(text, parts);
  }
  return renderParts(parts, vars);
}

function renderParts(parts: readonly TemplatePart[], vars: Readonly<Record<string, string | undefined>>): string {
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    if (!(part.name in vars)) throw new Error(`prompt template uses unknown variable '${part.name}'`);
    const value = vars[part.name] ?? '';
    if (part.kind === 'variable') out += value;
    else if (value !== '') out += renderParts(part.body, vars);
  }
  return out;
}

export interface ChatPromptMessage {
  role: 'system' | 'user';
  content: string;
}

/** A built repair (or first-attempt) prompt, with the template version that produced it. */
export interface BuiltPrompt {
  armName: string;
  promptVersion: string;
  messages: ChatPromptMessage[];
}

/** What a prompt builder gets: the episode, the failing attempt, its diagnosis and the probe results. */
export interface PromptInput {
  dialect: Dialect;
  question: string;
  evidence?: string;
  /** The schema_info text (already capped by the environment). */
  schemaInfo: string;
  sql?: string | null;
  diagnosis?: { errorClass: string; rawMessage: string; token?: string; qualifier?: string; candidates: readonly Candidate[] };
  /** The failing attempt's result, when it ran. */
  previousResult?: { columns: string[]; rows: Cell[][]; rowCount: number; isTruncated?: boolean };
  probes?: readonly ProbeOutput[];
}

export const PREVIEW_ROWS = 5;
export const MAX_PREVIEW_CHARS = 2048;
export const MAX_PROBE_CHARS = 3000;

function cap(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}... (truncated)`;
}

/** The first rows of a result as tab-separated text with a row count. */
export function formatResultPreview(result: NonNullable<PromptInput['previousResult']>): string {
  const lines = [result.columns.join('\t'), ...result.rows.slice(0, PREVIEW_ROWS).map((r) => r.map((c) => (c === null ? 'NULL' : String(c))).join('\t'))];
  const more = result.rowCount > PREVIEW_ROWS || result.isTruncated === true ? `(${result.rowCount}${result.isTruncated === true ? '+' : ''} rows, first ${Math.min(PREVIEW_ROWS, result.rowCount)} shown)` : `(${result.rowCount} rows)`;
  return cap(`${lines.join('\n')}\n${more}`, MAX_PREVIEW_CHARS);
}

/** Probe outputs as a text block: a title line per probe, then its findings. */
export function formatProbes(probes: readonly ProbeOutput[]): string {
  return cap(probes.map((p) => [`${p.title}:`, ...p.lines.map((l) => `- ${l}`)].join('\n')).join('\n'), MAX_PROBE_CHARS);
}

function variablesOf(input: PromptInput): Record<string, string | undefined> {
  const d = input.diagnosis;
  return {
    dialect: input.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL',
    fence: input.dialect === 'sqlite' ? 'sqlite' : 'postgresql',
    dialectNotes: DIALECT_NOTES[input.dialect],
    question: input.question,
    evidence: input.evidence,
    schema: input.schemaInfo,
    sql: input.sql ?? '(no query was produced)',
    errorClass: d?.errorClass,
    errorMessage: d?.rawMessage,
    token: d?.token,
    qualifier: d?.qualifier,
    candidates: d === undefined ? undefined : d.candidates.map((c) => `${c.name} (${c.score.toFixed(2)})`).join(', '),
    resultPreview: input.previousResult === undefined ? undefined : formatResultPreview(input.previousResult),
    probes: input.probes === undefined || input.probes.length === 0 ? undefined : formatProbes(input.probes),
  };
}

/** The variable names a template text refers to, in order of first use. */
function variableNamesOf(text: string): string[] {
  return [...new Set([...text.matchAll(TAG)].map((m) => m[2] as string))];
}

const systemVariables = new Map<string, string[]>();
/**
 * Rendered system messages by template and the values they use. A system message holds the whole schema but
 * depends only on it and the dialect, so consecutive attempts on one database share one string: rendered once,
 * and the same string each time, which lets the reply writer reuse its JSON (api/frame-json.ts).
 */
const renderedSystems = new LRUCache<string, string>({ max: 1024 });
/**
 * Short stand-ins for long values (the schema) in renderedSystems' keys. why: a key made of the whole schema was
 * a new ~5 KB string to hash on every step; the schema string itself recurs, and V8 keeps a string's hash.
 */
const longValueIds = new LRUCache<string, string>({ max: 1024 });
let nextLongValueId = 0;
const LONG_VALUE_CHARS = 256;

function keyPart(value: string): string {
  if (value.length < LONG_VALUE_CHARS) return `=${value}`;
  let id = longValueIds.get(value);
  if (id === undefined) {
    id = `#${nextLongValueId++}`;
    longValueIds.set(value, id);
  }
  return id;
}

function renderSystem(template: PromptTemplate, vars: Readonly<Record<string, string | undefined>>): string {
  let names = systemVariables.get(template.system);
  if (names === undefined) {
    names = variableNamesOf(template.system);
    systemVariables.set(template.system, names);
  }
  const key = JSON.stringify([keyPart(template.system), ...names.map((n) => keyPart(vars[n] ?? ''))]);
  let content = renderedSystems.get(key);
  if (content === undefined) {
    content = renderTemplate(template.system, vars).trim();
    renderedSystems.set(key, content);
  }
  return content;
}

/** Builds the system + user messages of a template for one attempt. */
export function buildPromptFrom(template: PromptTemplate, input: PromptInput): BuiltPrompt {
  const vars = variablesOf(input);
  return {
    armName: template.name,
    promptVersion: PROMPT_VERSION[template.name] ?? templateVersion(template),
    messages: [
      { role: 'system', content: renderSystem(template, vars) },
      { role: 'user', content: renderTemplate(template.user, vars).trim() },
    ],
  };
}
