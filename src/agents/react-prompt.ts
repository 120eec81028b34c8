import type { ChatMessage } from '../model/index.js';

export const REACT_PROMPT_VERSION = 'react-sql@1';
/** The model stops before writing an observation itself; the real one comes from the database. */
export const REACT_STOP = ['\nObservation:'];

export type ReactMove = { kind: 'execute'; sql: string } | { kind: 'answer'; text: string } | { kind: 'invalid' };

export function reactSystemPrompt(p: { dialect: string; schema: string; attempts: number }): string {
  return `You answer questions about a ${p.dialect} database by querying it.

## Table Schema ##

${p.schema}

## How to work ##

Work in turns. In each turn write a thought, then either one action or the answer.
To run a query on the database:
Thought: what you want to find out
Action: execute_sql[ONE ${p.dialect} QUERY]
Then stop. The database's real answer comes back to you as "Observation: ...".
When you know the query that answers the question:
Thought: why it answers the question
Answer:
\`\`\`${p.dialect}
THE FINAL QUERY
\`\`\`

Every query you run, and the answer, uses one of your ${p.attempts} remaining attempts.`;
}

export function reactFirstUserMessage(p: { question: string; dialect: string; sql: string; observation: string }): string {
  return `Question: ${p.question}

A first query failed:
\`\`\`${p.dialect}
${p.sql}
\`\`\`
Observation: ${p.observation}`;
}

export const LAST_ATTEMPT_NOTE = 'You have one attempt left: give your Answer now.';
export const INVALID_FORMAT_NOTE = 'Observation: Invalid format. Write "Action: execute_sql[QUERY]" or "Answer:" followed by the query.';

/** The move of a ReAct answer: the later of its last `Action: execute_sql[...]` and its last `Answer:`. */
export function parseReactMove(text: string): ReactMove {
  const action = text.lastIndexOf('execute_sql[');
  const answer = text.lastIndexOf('Answer:');
  if (answer >= 0 && answer > action) return { kind: 'answer', text: text.slice(answer + 'Answer:'.length) };
  if (action < 0) return { kind: 'invalid' };
  const body = text.slice(action + 'execute_sql['.length);
  const close = body.lastIndexOf(']');
  const sql = (close >= 0 ? body.slice(0, close) : body).trim();
  return sql === '' ? { kind: 'invalid' } : { kind: 'execute', sql };
}

export function assistant(content: string): ChatMessage {
  return { role: 'assistant', content };
}

export function user(content: string): ChatMessage {
  return { role: 'user', content };
}
