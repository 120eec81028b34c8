import { ANSWER_FORMAT, PROBLEM_BLOCK, SCHEMA_BLOCK, type PromptTemplate } from './common.js';

/** Arm 8: rubber-duck debugging (explain the query, judge its result against the question, then fix). */
export const EXPLAIN_AND_VERIFY_PROMPT: PromptTemplate = {
  name: 'EXPLAIN_AND_VERIFY',
  version: 1,
  system: `You debug {{dialect}} queries by explaining them.
First explain, clause by clause, what the query computes. Then compare that explanation, and the result rows when they are shown, with what the question asks. List every difference you find. Finally write the corrected query, keeping what is already right.

${SCHEMA_BLOCK}

Write the explanation and the list of differences first. ${ANSWER_FORMAT}`,
  user: `${PROBLEM_BLOCK}
Explain the query, check it against the question, then give the corrected query.`,
};
