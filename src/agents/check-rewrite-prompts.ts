import type { ChatMessage } from '../model/index.js';

/**
 * The three prompts of the Agent Lightning SQL agent (grading.md §5), restated. Bump the version on any edit: it
 * goes into every trajectory line as prompt_version.
 */
export const CHECK_REWRITE_PROMPT_VERSION = 'al-sql@1';

export const VERDICT_CORRECT = 'THE QUERY IS CORRECT.';
export const VERDICT_INCORRECT = 'THE QUERY IS INCORRECT.';

export interface PromptInput {
  dialect: string;
  question: string;
  /** Already cut at 2,048 characters. */
  schema: string;
}

export interface ReviewInput extends PromptInput {
  sql: string;
  /** Already cut at 2,048 characters. */
  execution: string;
}

const SCHEMA_RULES = `Use only column names you can see in the schema below; never query a column that does not exist.
Mind which column belongs to which table.`;

function answerFormat(dialect: string, placeholder: string): string {
  return `## Output Format ##

Answer with exactly one code block:

\`\`\`${dialect}
${placeholder}
\`\`\``;
}

export function writePrompt(p: PromptInput): ChatMessage[] {
  const system = `You are an agent that works with a SQL database.
Given a question, write one syntactically correct ${p.dialect} query that, when run, helps answer it.

${SCHEMA_RULES}

## Table Schema ##

Only use the following tables:
${p.schema}

${answerFormat(p.dialect, 'THE QUERY')}`;
  return [
    { role: 'system', content: system },
    { role: 'user', content: `Question: ${p.question}` },
  ];
}

export function checkPrompt(p: ReviewInput): ChatMessage[] {
  const system = `You are a SQL expert with a keen eye for detail.
Review the ${p.dialect} query for these common mistakes:
- NOT IN used where the values may be NULL
- UNION used where UNION ALL was needed
- BETWEEN used for a range whose ends are exclusive
- data types that do not match in a predicate
- identifiers that are not quoted properly
- functions called with the wrong number of arguments
- casts to the wrong data type
- joins on the wrong columns
- the query failing when it was executed
- an execution result that is clearly unreasonable

## Table Schema ##

${p.schema}

## Output Format ##

List every mistake from the list above that you find, one by one.
Then end with exactly one of these phrases, in capitals and without quotes:
- when you found mistakes: ${VERDICT_INCORRECT}
- when you found none: ${VERDICT_CORRECT}

Do not write a corrected query; only report the mistakes.`;
  const user = `Question: ${p.question}

Query:

\`\`\`${p.dialect}
${p.sql}
\`\`\`

Execution result:

\`\`\`
${p.execution}
\`\`\``;
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

export function rewritePrompt(p: ReviewInput & { feedback: string }): ChatMessage[] {
  const system = `You are an agent that works with a SQL database.
Rewrite the previous ${p.dialect} query so that it fixes the errors the feedback describes.
The aim is still to answer the original question, and every point of the feedback must be addressed.

${SCHEMA_RULES}

## Table Schema ##

Only use the following tables:
${p.schema}

${answerFormat(p.dialect, 'THE REWRITTEN QUERY')}`;
  const user = `Question: ${p.question}

## Previous query ##

\`\`\`${p.dialect}
${p.sql}
\`\`\`

## Previous execution result ##

\`\`\`
${p.execution}
\`\`\`

## Feedback ##

${p.feedback}

Rewrite the query so that it addresses the feedback.`;
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

/** Agent Lightning's stop rule: the check says CORRECT, and if both phrases appear, the later one wins. */
export function isVerdictCorrect(checkText: string): boolean {
  const correct = checkText.lastIndexOf(VERDICT_CORRECT.slice(0, -1));
  if (correct < 0) return false;
  return correct > checkText.lastIndexOf(VERDICT_INCORRECT.slice(0, -1));
}
