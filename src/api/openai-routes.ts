import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../errors.js';
import type { ChatOptions, ChatResult, LlmBackend } from '../model/index.js';

const TextPartSchema = z.object({ type: z.literal('text'), text: z.string() });

const MessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(TextPartSchema)]),
});

/** The subset of the OpenAI chat-completions request the local model honours; unknown fields are ignored. */
export const ChatCompletionRequestSchema = z.object({
  model: z.string().optional(),
  messages: z.array(MessageSchema).min(1),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  seed: z.number().int().optional(),
  n: z.literal(1).optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

const STATUS: Partial<Record<ErrorCode, number>> = {
  MODEL_TIMEOUT: 504,
  MODEL_AUTH: 502,
  MODEL_RATE_LIMITED: 429,
  MODEL_BAD_RESPONSE: 502,
  MODEL_UNAVAILABLE: 503,
};

function openAiError(message: string, type: string, param: string | null = null) {
  return { error: { message, type, param, code: null } };
}

function toOptions(body: ChatCompletionRequest, signal: AbortSignal): ChatOptions {
  const stop = typeof body.stop === 'string' ? [body.stop] : (body.stop ?? undefined);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  return {
    signal,
    ...(maxTokens === undefined ? {} : { maxTokens }),
    ...(body.temperature === undefined ? {} : { temperature: body.temperature }),
    ...(body.top_p === undefined ? {} : { topP: body.top_p }),
    ...(stop === undefined ? {} : { stop }),
    ...(body.seed === undefined ? {} : { seed: body.seed }),
  };
}

function toMessages(body: ChatCompletionRequest) {
  return body.messages.map((m) => ({
    role: m.role === 'developer' ? ('system' as const) : m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join(''),
  }));
}

/** Aborts when the client goes away before the answer is complete. */
function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

function usageOf(result: ChatResult) {
  return { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens };
}

interface Envelope {
  id: string;
  created: number;
  model: string;
}

async function sendStream(res: Response, backend: LlmBackend, body: ChatCompletionRequest, env: Envelope, signal: AbortSignal): Promise<void> {
  res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.flushHeaders();
  const send = (data: unknown): boolean => res.write(`data: ${JSON.stringify(data)}\n\n`);
  const chunk = (delta: Record<string, string>, finishReason: string | null) =>
    send({ ...env, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
  chunk({ role: 'assistant', content: '' }, null);
  const gen = backend.stream(toMessages(body), toOptions(body, signal));
  try {
    let step = await gen.next();
    for (; step.done !== true; step = await gen.next()) chunk({ content: step.value }, null);
    chunk({}, step.value.finishReason);
    if (body.stream_options?.include_usage === true) send({ ...env, object: 'chat.completion.chunk', choices: [], usage: usageOf(step.value) });
  } catch (err) {
    if (signal.aborted) return;
    const message = err instanceof AppError ? err.message : 'Internal error while generating';
    send(openAiError(message, err instanceof AppError ? err.code.toLowerCase() : 'server_error'));
  }
  res.end('data: [DONE]\n\n');
}

async function sendCompletion(res: Response, backend: LlmBackend, body: ChatCompletionRequest, env: Envelope, signal: AbortSignal): Promise<void> {
  let result: ChatResult;
  try {
    result = await backend.chat(toMessages(body), toOptions(body, signal));
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
  res.json({
    ...env,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: result.text }, logprobs: null, finish_reason: result.finishReason }],
    usage: usageOf(result),
  });
}

function handleError(err: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  const status = (err as { status?: unknown }).status;
  if ((err as { type?: unknown }).type === 'entity.parse.failed' && status === 400) {
    res.status(400).json(openAiError('The request body is not valid JSON', 'invalid_request_error'));
  } else if (err instanceof z.ZodError) {
    const issue = err.issues[0];
    const param = issue === undefined ? null : issue.path.join('.');
    res.status(400).json(openAiError(`Invalid request: ${issue?.message ?? 'bad body'}${param ? ` (at ${param})` : ''}`, 'invalid_request_error', param));
  } else if (err instanceof AppError && STATUS[err.code] !== undefined) {
    res.status(STATUS[err.code] as number).json(openAiError(err.message, err.code.toLowerCase()));
  } else {
    next(err);
  }
}

/**
 * OpenAI-compatible routes over a backend: POST /v1/chat/completions (JSON, or SSE `data: {...}` chunks ending with
 * `data: [DONE]` when stream is true) and GET /v1/models. Bad bodies get 400 with an OpenAI-style error; a client
 * that disconnects cancels its generation.
 */
export function createOpenAiRouter(backend: LlmBackend): express.Router {
  const router = express.Router();
  router.use('/v1', express.json({ limit: '2mb' }));

  router.get('/v1/models', (_req, res) => {
    const { model } = backend.describe();
    res.json({ object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'sql-repair-env' }] });
  });

  router.post('/v1/chat/completions', async (req, res) => {
    const body = ChatCompletionRequestSchema.parse(req.body);
    const env: Envelope = { id: `chatcmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: backend.describe().model };
    const signal = clientGone(res);
    await (body.stream === true ? sendStream(res, backend, body, env, signal) : sendCompletion(res, backend, body, env, signal));
  });

  router.use('/v1', handleError);
  return router;
}
