import type { Observation } from '../env/index.js';
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

/** Writes one query with the env's generate prompt and submits it: exactly one env step. */
export function createDirectAgent(model: AgentModel): Agent {
  return {
    name: 'direct',
    async run(session, { reset, signal }) {
      const t = new EpisodeTracker(session, model, signal);
      const prompt = generatePromptOf(await t.start(reset));
      const write = await t.ask('write', prompt.messages, { arm: 'generate', promptVersion: prompt.promptVersion });
      await t.submit({ custom_sql: answerSql(write.text), repair_action: 'generate' }, write.index);
      return t.trace();
    },
  };
}
