import type { ChatMessage, ChatResult, LlmBackend } from './index.js';
import { extractSql } from './sql-extract.js';

export interface GeneratedSql {
  sql: string;
  text: string;
  promptTokens: number;
  completionTokens: number;
}

/** Adapts a chat backend to the episode core's SqlGenerator port: stream the answer, then extract its SQL. */
export function createSqlGenerator(backend: LlmBackend, defaults: { maxTokens: number; temperature?: number }) {
  return {
    describe: () => backend.describe(),
    async generateSql(messages: ChatMessage[], options: { signal?: AbortSignal; onChunk?: (text: string) => void }): Promise<GeneratedSql> {
      const stream = backend.stream(messages, { maxTokens: defaults.maxTokens, temperature: defaults.temperature ?? 0, signal: options.signal });
      let next = await stream.next();
      while (next.done !== true) {
        options.onChunk?.(next.value);
        next = await stream.next();
      }
      const result: ChatResult = next.value;
      return { sql: extractSql(result.text), text: result.text, promptTokens: result.promptTokens, completionTokens: result.completionTokens };
    },
  };
}
