import type { Observation, ResetOptions } from '../env/index.js';
import type { ChatMessage } from '../model/index.js';
import { answerSql } from './answer-sql.js';
import { CHECK_REWRITE_PROMPT_VERSION, writePrompt } from './check-rewrite-prompts.js';
import { EpisodeTracker } from './episode-tracker.js';
import { questionText, schemaText } from './observation-text.js';
import type { Agent, AgentModel } from './types.js';

/** The env's ready 'generate' prompt from the reset observation, else the Agent Lightning write prompt. */
export function generatePromptOf(obs: Observation): { messages: ChatMessage[]; promptVersion: string } {
  const rec = obs.recommendation;
  if (rec !== null && rec.arm === 'generate' && rec.prompt.length > 0) return { messages: rec.prompt, promptVersion: rec.prompt_version };
  return {
    messages: writePrompt({ dialect: obs.dialect, question: questionText(obs), schema: schemaText(obs) }),
    promptVersion: CHECK_REWRITE_PROMPT_VERSION,
  };
}

/** Resets, writes one query with the env's generate prompt and submits it: the first attempt every agent makes. */
export async function writeFirstAttempt(t: EpisodeTracker, reset: ResetOptions): Promise<{ sql: string; observation: Observation }> {
  const prompt = generatePromptOf(await t.start(reset));
  const write = await t.ask('write', prompt.messages, { arm: 'generate', promptVersion: prompt.promptVersion });
  const sql = answerSql(write.text);
  return { sql, observation: await t.submit({ custom_sql: sql, repair_action: 'generate' }, write.index) };
}

/** Writes one query with the env's generate prompt and submits it: exactly one env step. */
export function createDirectAgent(model: AgentModel): Agent {
  return {
    name: 'direct',
    async run(session, { reset, signal }) {
      const t = new EpisodeTracker(session, model, signal);
      await writeFirstAttempt(t, reset);
      return t.trace();
    },
  };
}
