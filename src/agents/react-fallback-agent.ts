import type { ChatMessage } from '../model/index.js';
import { answerSql } from './answer-sql.js';
import { writeFirstAttempt } from './direct-agent.js';
import { EpisodeTracker } from './episode-tracker.js';
import { executionText, questionText, schemaText, truncate } from './observation-text.js';
import {
  assistant,
  INVALID_FORMAT_NOTE,
  LAST_ATTEMPT_NOTE,
  parseReactMove,
  REACT_PROMPT_VERSION,
  REACT_STOP,
  reactFirstUserMessage,
  reactSystemPrompt,
  user,
} from './react-prompt.js';
import type { Agent, AgentModel } from './types.js';

export interface ReactFallbackOptions {
  /** Most ReAct model calls after the direct attempt (format errors included). */
  maxReactCalls?: number;
}

const META = { arm: 'generate', promptVersion: REACT_PROMPT_VERSION, stop: REACT_STOP };

/**
 * Direct first; when that query fails to execute, a ReAct loop (Thought / Action execute_sql[...] / Observation /
 * Answer). There is no read-only probe route in the API, so every execute_sql is an env step: it consumes an
 * attempt and is graded, and a probe that happens to be right ends the episode with success. The last remaining
 * attempt is kept for the answer. A query that runs but is wrong does not start the loop: only the execution
 * outcome is used, never the grade.
 */
export function createReactFallbackAgent(model: AgentModel, options: ReactFallbackOptions = {}): Agent {
  const maxCalls = options.maxReactCalls ?? 8;
  return {
    name: 'react-fallback',
    async run(session, { reset, signal }) {
      const t = new EpisodeTracker(session, model, signal);
      const first = await writeFirstAttempt(t, reset);
      let lastSql = first.sql;
      const obs = first.observation;
      if (t.isDone || obs.result !== null) return t.trace();

      const messages: ChatMessage[] = [
        { role: 'system', content: reactSystemPrompt({ dialect: obs.dialect, schema: schemaText(obs), attempts: t.attemptsLeft }) },
        user(reactFirstUserMessage({ question: questionText(obs), dialect: obs.dialect, sql: lastSql, observation: truncate(executionText(obs)) })),
      ];
      for (let calls = 0; calls < maxCalls && !t.isDone && t.attemptsLeft > 0; calls++) {
        const isLast = t.attemptsLeft === 1;
        if (isLast) appendNote(messages, LAST_ATTEMPT_NOTE);
        const reply = await t.ask('react', [...messages], META);
        const move = parseReactMove(reply.text);
        messages.push(assistant(reply.text));
        if (move.kind === 'invalid' && !isLast) {
          messages.push(user(INVALID_FORMAT_NOTE));
          continue;
        }
        const sql = move.kind === 'execute' ? move.sql : move.kind === 'answer' ? answerSql(move.text) : answerSql(reply.text);
        const isAnswer = move.kind !== 'execute' || isLast;
        if (isAnswer && sql === lastSql) break;
        const next = await t.submit({ custom_sql: sql, repair_action: 'generate' }, reply.index);
        lastSql = sql;
        if (isAnswer) break;
        messages.push(user(`Observation: ${truncate(executionText(next))}`));
      }
      return t.trace();
    },
  };
}

function appendNote(messages: ChatMessage[], note: string): void {
  const last = messages.at(-1);
  if (last !== undefined && last.role === 'user') messages[messages.length - 1] = user(`${last.content}\n\n${note}`);
  else messages.push(user(note));
}
