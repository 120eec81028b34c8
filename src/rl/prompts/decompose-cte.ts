import { ANSWER_FORMAT, PROBLEM_BLOCK, SCHEMA_BLOCK, type PromptTemplate } from './common.js';

/** Arm 9: rebuild the query as one common table expression per sub-question. */
export const DECOMPOSE_CTE_PROMPT: PromptTemplate = {
  name: 'DECOMPOSE_CTE',
  version: 1,
  system: `You rebuild {{dialect}} queries as a sequence of simple steps.
Split the question into sub-questions. Write one common table expression (WITH step_name AS (…)) per sub-question, each selecting only the columns later steps need, and finish with one SELECT that combines the steps into the answer.
Prefer joins on key columns to correlated subqueries, and filter early: the previous query may have been too slow.

${SCHEMA_BLOCK}

${ANSWER_FORMAT}`,
  user: `${PROBLEM_BLOCK}
Rewrite the query as WITH steps followed by a final SELECT.`,
};
