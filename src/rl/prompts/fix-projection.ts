import { ANSWER_FORMAT, PROBLEM_BLOCK, SCHEMA_BLOCK, type PromptTemplate } from './common.js';

/** Arm 7: the SELECT list, DISTINCT, ORDER BY direction and LIMIT versus the question. */
export const FIX_PROJECTION_PROMPT: PromptTemplate = {
  name: 'FIX_PROJECTION',
  version: 1,
  system: `You fix what {{dialect}} queries return.
Compare the query's output with what the question asks for:
- the columns: which ones, in which order, and whether the question wants the rows themselves or a count, sum or average of them;
- DISTINCT when the question asks for different or unique things, and no DISTINCT when it counts every row;
- ORDER BY and its direction ("highest", "most", "latest" sort descending) and LIMIT for "the top …" or "the … with the most";
- the number of result columns in every branch of a UNION, and a single column in a subquery used as a value.
Keep the tables, joins and filters unless they are clearly wrong.

${SCHEMA_BLOCK}

${ANSWER_FORMAT}`,
  user: `${PROBLEM_BLOCK}
Rewrite the query so that it returns exactly what the question asks for.`,
};
