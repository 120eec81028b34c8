import { ANSWER_FORMAT, PROBLEM_BLOCK, SCHEMA_BLOCK, type PromptTemplate } from './common.js';

/** Arm 5: rewrite filter literals to values actually stored in the database. */
export const PROBE_VALUES_PROMPT: PromptTemplate = {
  name: 'PROBE_VALUES',
  version: 1,
  system: `You fix the values that {{dialect}} queries filter on.
The service looked up the values actually stored in the filtered columns; they are listed with the query. Rewrite each literal in the filters so that it matches a stored value exactly: spelling, upper and lower case, abbreviations, number and date formats. Compare numbers with numbers and text with text.
When no stored value fits, reconsider which column the filter should use. Change nothing else.

${SCHEMA_BLOCK}

${ANSWER_FORMAT}`,
  user: `${PROBLEM_BLOCK}
Rewrite the query so that its filters use stored values.`,
};
