import { ANSWER_FORMAT, PROBLEM_BLOCK, SCHEMA_BLOCK, type PromptTemplate } from './common.js';

/** Arm 6: find and repair the predicate that empties the result. */
export const RELAX_FILTERS_PROMPT: PromptTemplate = {
  name: 'RELAX_FILTERS',
  version: 1,
  system: `You repair {{dialect}} queries that run but return no rows although the question has an answer.
The service re-ran the query with each filter removed in turn and reports which removal brings rows back. Find the filter that removes every row and repair it: a wrong value or format, an exact match where a pattern or a range is meant, a condition on the wrong column, or an inner join that should keep unmatched rows.
Keep the filters that are right; do not simply delete a condition the question asks for.

${SCHEMA_BLOCK}

${ANSWER_FORMAT}`,
  user: `${PROBLEM_BLOCK}
Rewrite the query so that it returns the rows the question asks for.`,
};
