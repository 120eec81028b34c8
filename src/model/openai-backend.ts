import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import type { ModelConfig } from '../config.js';
import { ConfigError, ModelBadResponseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { throwIfAborted } from './abort.js';
import type { ChatMessage, ChatOptions, ChatResult, FinishReason, LlmBackend } from './index.js';
import { safeEndpoint, toModelError, type EndpointContext } from './openai-errors.js';

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

function finishReasonOf(value: unknown): FinishReason {
  return value === 'length' ? 'length' : 'stop';
}

function parseCompletion(res: unknown, endpoint: string): ChatResult {
  const body = res as Partial<ChatCompletion> | null;
  const choice = body !== null && typeof body === 'object' && Array.isArray(body.choices) ? body.choices[0] : undefined;
  const content: unknown = choice?.message?.content;
  if (choice === undefined || (typeof content !== 'string' && content !== null)) {
    throw new ModelBadResponseError(`The model endpoint ${endpoint} sent a malformed answer (no choices[0].message.content)`);
  }
  return {
    text: content ?? '',
    promptTokens: body?.usage?.prompt_tokens ?? 0,
    completionTokens: body?.usage?.completion_tokens ?? 0,
    finishReason: finishReasonOf(choice.finish_reason),
  };
}

/**
 * A backend for any OpenAI-compatible endpoint (LLM_BASE_URL, LLM_API_KEY, LLM_MODEL). The client retries 429 and
 * 5xx with exponential backoff (honouring Retry-After), LLM_TIMEOUT_MS applies per attempt, and every failure becomes
 * a typed error whose message never contains the key. Throws ConfigError when neither a key nor a base URL is set.
 */
export function createOpenAiBackend(cfg: ModelConfig, log: Logger): LlmBackend {
  if (cfg.baseUrl === undefined && cfg.apiKey === undefined) {
    throw new ConfigError(['MODEL_BACKEND=openai needs LLM_API_KEY (or OPENAI_API_KEY / HF_TOKEN) for api.openai.com, or LLM_BASE_URL for another endpoint']);
  }
  const baseURL = cfg.baseUrl ?? OPENAI_BASE_URL;
  const endpoint = safeEndpoint(baseURL);
  const mlog = log.child({ mod: 'model.openai' });
  // why: every option the SDK would otherwise read from the environment is given explicitly (config.ts owns it).
  const client = new OpenAI({
    apiKey: cfg.apiKey ?? 'no-key',
    baseURL,
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    timeout: cfg.timeoutMs,
    maxRetries: cfg.maxRetries,
    logLevel: 'off',
  });
  mlog.info({ endpoint, model: cfg.model, timeoutMs: cfg.timeoutMs, maxRetries: cfg.maxRetries }, 'remote model configured');

  const context = (signal: AbortSignal | undefined): EndpointContext => ({
    endpoint,
    model: cfg.model,
    timeoutMs: cfg.timeoutMs,
    maxRetries: cfg.maxRetries,
    apiKey: cfg.apiKey,
    signal,
  });

  const params = (messages: ChatMessage[], opts: ChatOptions): ChatCompletionCreateParamsBase => ({
    model: cfg.model,
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    max_tokens: opts.maxTokens ?? cfg.maxNewTokens,
    ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
    ...(opts.topP === undefined ? {} : { top_p: opts.topP }),
    ...(opts.stop === undefined || opts.stop.length === 0 ? {} : { stop: opts.stop }),
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
  });

  const chat = async (messages: ChatMessage[], opts: ChatOptions = {}): Promise<ChatResult> => {
    const startedMs = Date.now();
    try {
      const res = await client.chat.completions.create({ ...params(messages, opts), stream: false }, { signal: opts.signal ?? null });
      const result = parseCompletion(res, endpoint);
      mlog.debug({ promptTokens: result.promptTokens, completionTokens: result.completionTokens, elapsedMs: Date.now() - startedMs }, 'remote chat done');
      return result;
    } catch (err) {
      throw toModelError(err, context(opts.signal));
    }
  };

  async function* stream(messages: ChatMessage[], opts: ChatOptions = {}): AsyncGenerator<string, ChatResult, undefined> {
    let text = '';
    let chunks = 0;
    let finishReason: FinishReason = 'stop';
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    try {
      const request = { ...params(messages, opts), stream: true as const, stream_options: { include_usage: true } };
      const events = await client.chat.completions.create(request, { signal: opts.signal ?? null });
      for await (const chunk of events) {
        throwIfAborted(opts.signal);
        if (!Array.isArray(chunk?.choices)) throw new ModelBadResponseError(`The model endpoint ${endpoint} sent a malformed stream chunk (no choices)`);
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        if (choice?.finish_reason) finishReason = finishReasonOf(choice.finish_reason);
        const delta = choice?.delta?.content;
        if (typeof delta === 'string' && delta !== '') {
          text += delta;
          chunks++;
          yield delta;
        }
      }
      // why: the client ends the iteration quietly when the request is aborted mid-stream.
      throwIfAborted(opts.signal);
    } catch (err) {
      throw toModelError(err, context(opts.signal));
    }
    // why: endpoints that ignore stream_options send no usage; one content chunk per token is the usual framing.
    return { text, promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? chunks, finishReason };
  }

  return {
    chat,
    stream,
    describe: () => ({ backend: 'openai', model: cfg.model, device: 'remote' }),
    close: () => Promise.resolve(),
  };
}
