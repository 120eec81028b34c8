import { ANSWER_FORMAT, PROBLEM_BLOCK, SCHEMA_BLOCK, type PromptTemplate } from './common.js';

/** Arm 10: discard the previous query and write a new one. */
export const REGENERATE_PROMPT: PromptTemplate = {
  name: 'REGENERATE',
  version: 1,
  system: `You write {{dialect}} queries from scratch.
An earlier attempt failed and is shown only as a warning; do not patch it. Read the question again, choose the tables and columns it needs from the schema, join them through their key columns, and write one new {{dialect}} query that answers it. The query must be a single read-only SELECT (or WITH … SELECT) statement.
{{dialectNotes}}

${SCHEMA_BLOCK}

${ANSWER_FORMAT}`,
  user: `${PROBLEM_BLOCK}
Write a new query that answers the question.`,
};
