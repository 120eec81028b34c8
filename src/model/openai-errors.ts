import OpenAI from 'openai';
import { AppError, ModelAuthError, ModelBadResponseError, ModelRateLimitedError, ModelTimeoutError, ModelUnavailableError } from '../errors.js';
import { abortReason, isAbortError } from './abort.js';

/** What an error message may say about the endpoint; never the key. */
export interface EndpointContext {
  /** Origin and path of the base URL, without credentials. */
  endpoint: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  apiKey: string | undefined;
  signal: AbortSignal | undefined;
}

/** The base URL without user info, query or fragment, for messages and logs. */
export function safeEndpoint(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.origin}${url.pathname}`.replace(/\/$/, '');
  } catch {
    return '(invalid LLM_BASE_URL)';
  }
}

function scrub(text: string, apiKey: string | undefined): string {
  const short = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  return apiKey === undefined || apiKey === '' ? short : short.replaceAll(apiKey, '***');
}

/** A copy of the client's error with the key scrubbed from its message and stack, so logging the cause is safe. */
function safeCause(err: unknown, apiKey: string | undefined): unknown {
  if (!(err instanceof Error) || apiKey === undefined || apiKey === '') return err;
  const text = `${err.message}\n${err.stack ?? ''}`;
  const nested = err.cause instanceof Error && !`${err.cause.message}${err.cause.stack ?? ''}`.includes(apiKey) ? err.cause : undefined;
  if (!text.includes(apiKey) && nested === err.cause) return err;
  const copy = new Error(err.message.replaceAll(apiKey, '***'), nested === undefined ? undefined : { cause: nested });
  copy.name = err.name;
  copy.stack = (err.stack ?? '').replaceAll(apiKey, '***');
  return copy;
}

function causeCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && cur instanceof Error; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = cur.cause;
  }
  return undefined;
}

function upstreamMessage(err: InstanceType<typeof OpenAI.APIError>, apiKey: string | undefined): string {
  const body = err.error as { message?: unknown } | undefined;
  const text = typeof body?.message === 'string' ? body.message : err.message;
  return scrub(text, apiKey);
}

function fromStatus(apiErr: InstanceType<typeof OpenAI.APIError>, err: unknown, ctx: EndpointContext): AppError {
  const where = `The model endpoint ${ctx.endpoint}`;
  const detail = upstreamMessage(apiErr, ctx.apiKey);
  const status = apiErr.status;
  if (status === undefined) return new ModelUnavailableError(`${where} reported an error while streaming: ${detail}`, err);
  if (status === 401 || status === 403) {
    return new ModelAuthError(`${where} rejected the credentials (HTTP ${status}: ${detail}). Check LLM_API_KEY.`, err);
  }
  if (status === 429) {
    return new ModelRateLimitedError(`${where} is rate-limiting requests (HTTP 429 after ${ctx.maxRetries} retries: ${detail})`, err);
  }
  if (status === 404) {
    return new ModelUnavailableError(`${where} has no model '${ctx.model}' or no /chat/completions route (HTTP 404: ${detail}). Check LLM_MODEL and LLM_BASE_URL.`, err);
  }
  if (status >= 500) {
    return new ModelUnavailableError(`${where} failed (HTTP ${status} after ${ctx.maxRetries} retries: ${detail})`, err);
  }
  return new ModelUnavailableError(`${where} refused the request (HTTP ${status}: ${detail})`, err);
}

/**
 * Maps whatever the OpenAI client threw to a typed AppError with a clear, key-free message and a key-free cause
 * (or to the abort reason).
 */
export function toModelError(raw: unknown, ctx: EndpointContext): Error {
  const err = safeCause(raw, ctx.apiKey);
  if (raw instanceof AppError) return raw;
  if (ctx.signal?.aborted === true) return abortReason(ctx.signal);
  if (raw instanceof OpenAI.APIUserAbortError || isAbortError(raw)) return raw as Error;
  if (raw instanceof OpenAI.APIConnectionTimeoutError) return new ModelTimeoutError(ctx.timeoutMs, err);
  if (raw instanceof OpenAI.APIConnectionError) {
    const code = causeCode(raw);
    const reason = code === 'ECONNREFUSED' ? 'connection refused' : code ?? scrub(raw.message, ctx.apiKey);
    return new ModelUnavailableError(`Cannot reach the model endpoint ${ctx.endpoint} (${reason}, after ${ctx.maxRetries} retries)`, err);
  }
  if (raw instanceof OpenAI.APIError) return fromStatus(raw, err, ctx);
  const message = raw instanceof Error ? raw.message : String(raw);
  return new ModelBadResponseError(`The model endpoint ${ctx.endpoint} sent a malformed answer (${scrub(message, ctx.apiKey)})`, err);
}
