/**
 * Fragments shared by the prompt templates. Placeholders: {{dialect}} (SQLite | PostgreSQL), {{fence}} (the code
 * fence tag), {{dialectNotes}}, {{question}}, {{evidence}}, {{schema}}, {{sql}}, {{errorClass}}, {{errorMessage}},
 * {{token}}, {{qualifier}}, {{candidates}}, {{resultPreview}}, {{probes}}. `{{#x}}…{{/x}}` is kept only when x is
 * non-empty. A template's version hash covers these fragments, so editing one changes every version it feeds.
 */
export interface PromptTemplate {
  /** An arm name or 'generate'. */
  name: string;
  /** Bump by hand on a deliberate change; the content hash also changes on any edit. */
  version: number;
  system: string;
  user: string;
}

export const SCHEMA_BLOCK = `Only these tables exist:
{{schema}}`;

export const ANSWER_FORMAT = 'Reply with the complete query in one ```{{fence}} fenced code block, and put nothing after that block.';

export const QUESTION_BLOCK = `Question: {{question}}{{#evidence}}
Evidence: {{evidence}}{{/evidence}}`;

export const PROBLEM_BLOCK = `${QUESTION_BLOCK}

Previous {{dialect}} query:
\`\`\`{{fence}}
{{sql}}
\`\`\`
{{#errorMessage}}
Outcome ({{errorClass}}): {{errorMessage}}
{{/errorMessage}}{{#token}}Offending name: {{token}}{{#qualifier}} (qualified by {{qualifier}}){{/qualifier}}
{{/token}}{{#candidates}}Closest names in the schema (similarity): {{candidates}}
{{/candidates}}{{#resultPreview}}
Its result:
{{resultPreview}}
{{/resultPreview}}{{#probes}}
What the service found by querying the database:
{{probes}}
{{/probes}}`;

export const DIALECT_NOTES = {
  sqlite: `SQLite notes: strings take single quotes and identifiers double quotes; there is no ILIKE (LIKE already ignores ASCII case); dates are stored as text, so use strftime('%Y', col), date() or julianday(); concatenate with ||; integer division truncates, so CAST(x AS REAL) for ratios; LIMIT n [OFFSET m].`,
  postgres: `PostgreSQL notes: unquoted identifiers fold to lower case, so double-quote mixed-case names; strings take single quotes; ILIKE matches without case; EXTRACT(YEAR FROM d) and date_trunc for dates; string_agg(x, ', ') instead of group_concat; every selected column that is not aggregated must be in GROUP BY; text never compares to a number implicitly, so cast one side (CAST(col AS INTEGER) or col::text); integer division truncates; LIMIT n OFFSET m.`,
} as const;
