import { createHttpSession, type Agent, type EpisodeTrace } from '../../src/agents/index.js';
import { HttpEnvClient } from '../../src/client/index.js';
import type { ChatMessage } from '../../src/model/index.js';
import { ScriptedBackend, type ScriptFn } from '../helpers/scripted-backend.js';

/** simple_queries/01: "How many customers do we have?" over the demo database. */
export const COUNT_QUESTION = { task_id: 'simple_queries', question_id: 'simple_queries/01' } as const;
export const RIGHT_SQL = 'SELECT COUNT(*) FROM customers';
export const TYPO_SQL = 'SELECT COUNT(*) FROM custmers';
export const WRONG_SQL = 'SELECT COUNT(*) FROM orders';

export function fenced(sql: string): string {
  return `Here is the query:\n\`\`\`sqlite\n${sql}\n\`\`\``;
}

export function scripted(script: string[] | ScriptFn): { backend: ScriptedBackend; model: { backend: ScriptedBackend; chatOptions: { temperature: number } } } {
  const backend = new ScriptedBackend(script);
  return { backend, model: { backend, chatOptions: { temperature: 0 } } };
}

/** Runs one episode of the agent over HTTP against the server. */
export function runOver(baseUrl: string, agent: Agent, reset: { task_id: string; question_id: string } = COUNT_QUESTION): Promise<EpisodeTrace> {
  return agent.run(createHttpSession(new HttpEnvClient({ baseUrl })), { reset });
}

export function systemOf(messages: ChatMessage[]): string {
  return messages.find((m) => m.role === 'system')?.content ?? '';
}

export function lastUserOf(messages: ChatMessage[]): string {
  return messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
}
