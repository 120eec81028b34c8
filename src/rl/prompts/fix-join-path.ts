import { ANSWER_FORMAT, PROBLEM_BLOCK, SCHEMA_BLOCK, type PromptTemplate } from './common.js';

/** Arm 2: repair the joins along the foreign-key paths the service found. */
export const FIX_JOIN_PATH_PROMPT: PromptTemplate = {
  name: 'FIX_JOIN_PATH',
  version: 1,
  system: `You repair the joins of {{dialect}} queries.
Use the foreign-key paths the service lists (and the key columns in the schema) to connect every table the question needs: add a missing table with its JOIN … ON condition, correct join conditions that use the wrong columns, and drop tables that are not needed.
Qualify every column that more than one joined table has with its table name or alias.
Leave the selected columns and the filters as they are, apart from qualifying them.

${SCHEMA_BLOCK}

${ANSWER_FORMAT}`,
  user: `${PROBLEM_BLOCK}
Rewrite the query with correct joins.`,
};
