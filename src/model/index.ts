import type { ModelConfig } from '../config.js';
import type { Logger } from '../logger.js';

export { extractSql } from './sql-extract.js';

/** One chat message, as the OpenAI chat API and chat templates take them. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Decoding options; every field is optional and falls back to the backend's defaults. */
export interface ChatOptions {
  /** Most new tokens to generate (default: MODEL_MAX_NEW_TOKENS). */
  maxTokens?: number;
  /** 0 = greedy. The local backend defaults to 0; the remote one leaves the endpoint's default. */
  temperature?: number;
  /** Nucleus sampling mass, (0, 1]. */
  topP?: number;
  /** Generation ends before the first occurrence of any of these strings; the stop string is not returned. */
  stop?: string[];
  /** Seed for sampled decoding (local backend: reproducible; remote: passed through). */
  seed?: number;
  /** Aborting rejects the call (or ends the stream) with the signal's reason, an AbortError by default. */
  signal?: AbortSignal;
}

export type FinishReason = 'stop' | 'length';

/** A complete answer with token counts. */
export interface ChatResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: FinishReason;
}

/** What is serving the model. */
export interface BackendDescription {
  backend: 'openai' | 'onnx';
  model: string;
  /** 'cuda' or 'cpu' for the local backend; 'remote' for an HTTP endpoint. */
  device: 'cuda' | 'cpu' | 'remote';
}

/**
 * A chat model. Errors are ModelUnavailableError, ModelTimeoutError, ModelAuthError, ModelRateLimitedError or
 * ModelBadResponseError; cancellation rejects with the signal's reason (an AbortError).
 */
export interface LlmBackend {
  /** Generates a whole answer. */
  chat(messages: ChatMessage[], opts?: ChatOptions): Promise<ChatResult>;
  /**
   * Streams the answer: yields text chunks, and the generator's return value is the final ChatResult
   * (read it with manual `next()` calls, or ignore it and just `for await` the chunks).
   */
  stream(messages: ChatMessage[], opts?: ChatOptions): AsyncGenerator<string, ChatResult, undefined>;
  describe(): BackendDescription;
  /** Releases the session or connections; idempotent. */
  close(): Promise<void>;
}

/**
 * Builds the backend the config names: undefined for 'none'. Throws ConfigError for a missing or malformed
 * MODEL_DIR (or an openai backend with neither key nor base URL), ModelUnavailableError when MODEL_DEVICE=cuda
 * cannot start.
 */
export async function createBackend(cfg: ModelConfig, log: Logger): Promise<LlmBackend | undefined> {
  switch (cfg.backend) {
    case 'none':
      return undefined;
    case 'openai': {
      const { createOpenAiBackend } = await import('./openai-backend.js');
      return createOpenAiBackend(cfg, log);
    }
    case 'onnx': {
      const { createOnnxBackend } = await import('./onnx-backend.js');
      return createOnnxBackend(cfg, log);
    }
  }
}
