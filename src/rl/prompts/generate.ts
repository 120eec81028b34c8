import { ANSWER_FORMAT, QUESTION_BLOCK, SCHEMA_BLOCK, type PromptTemplate } from './common.js';

/** The first attempt: write a query from the question (after the Agent Lightning write prompt). */
export const GENERATE_PROMPT: PromptTemplate = {
  name: 'generate',
  version: 1,
  system: `You are an agent that answers questions about a {{dialect}} database by writing SQL.
Write one syntactically correct {{dialect}} query that answers the question.
Use only the tables and columns that appear in the schema below, and keep track of which column belongs to which table; join tables through their key columns when the answer needs more than one.
Select exactly what the question asks for, in the order it asks for it.
{{dialectNotes}}

${SCHEMA_BLOCK}

${ANSWER_FORMAT}`,
  user: QUESTION_BLOCK,
};
