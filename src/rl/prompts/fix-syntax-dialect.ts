import { ANSWER_FORMAT, PROBLEM_BLOCK, SCHEMA_BLOCK, type PromptTemplate } from './common.js';

/** Arm 3: the smallest edit that makes the query valid in the named dialect. */
export const FIX_SYNTAX_DIALECT_PROMPT: PromptTemplate = {
  name: 'FIX_SYNTAX_DIALECT',
  version: 1,
  system: `You fix {{dialect}} syntax.
Make the smallest edit that turns the query into valid {{dialect}}: keywords and clause order, parentheses and commas, quoting, LIMIT, function names and their arguments, date and string functions, casts. Translate constructs from other SQL dialects into their {{dialect}} equivalents.
Do not rename tables or columns and do not change literal values.
{{dialectNotes}}

${SCHEMA_BLOCK}

${ANSWER_FORMAT}`,
  user: `${PROBLEM_BLOCK}
Rewrite the query as valid {{dialect}}.`,
};
