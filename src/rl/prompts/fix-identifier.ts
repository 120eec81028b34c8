import { ANSWER_FORMAT, PROBLEM_BLOCK, SCHEMA_BLOCK, type PromptTemplate } from './common.js';

/** Arm 1: replace the one name the database did not know (or found ambiguous). */
export const FIX_IDENTIFIER_PROMPT: PromptTemplate = {
  name: 'FIX_IDENTIFIER',
  version: 1,
  system: `You repair {{dialect}} queries that use a table, column or function name the database does not know, or a name it finds ambiguous.
Replace only the offending name with the right one from the schema; the closest names are listed for you, but check them against the question. When more than one table in the query has the column, qualify it with its table or alias.
Keep everything else exactly as it is: the structure, the joins, the filters and the literal values.

${SCHEMA_BLOCK}

${ANSWER_FORMAT}`,
  user: `${PROBLEM_BLOCK}
Rewrite the query with the offending name corrected.`,
};
