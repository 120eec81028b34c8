import { z } from 'zod';
import { AppError, RequestValidationError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

/** OpenEnv WebSocket error codes. */
export type WsErrorCode =
  | 'INVALID_JSON'
  | 'UNKNOWN_TYPE'
  | 'VALIDATION_ERROR'
  | 'EXECUTION_ERROR'
  | 'CAPACITY_REACHED'
  | 'FACTORY_ERROR'
  | 'SESSION_ERROR';

/** THE table of HTTP statuses. A new ErrorCode without an entry fails tsc. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  REQUEST_VALIDATION: 422,
  UNKNOWN_TASK: 422,
  UNKNOWN_QUESTION: 422,
  UNKNOWN_DATABASE: 422,
  EPISODE_NOT_FOUND: 404,
  EPISODE_FINISHED: 409,
  EPISODE_NOT_STARTED: 409,
  CAPACITY_REACHED: 503,
  DATABASE_UNAVAILABLE: 503,
  MODEL_NOT_CONFIGURED: 503,
  MODEL_UNAVAILABLE: 502,
  MODEL_TIMEOUT: 504,
  MODEL_AUTH: 502,
  MODEL_RATE_LIMITED: 503,
  MODEL_BAD_RESPONSE: 502,
  EPISODE_SETUP: 500,
  UNAUTHORIZED: 401,
  // nginx's 'client closed request': nobody reads it, but logs and metrics see a 4xx, not a server fault.
  CLIENT_CLOSED: 499,
  CONFIG: 500,
  DATASET: 500,
};

/** THE table of WS error codes. */
export const WS_CODE: Record<ErrorCode, WsErrorCode> = {
  REQUEST_VALIDATION: 'VALIDATION_ERROR',
  UNKNOWN_TASK: 'VALIDATION_ERROR',
  UNKNOWN_QUESTION: 'VALIDATION_ERROR',
  UNKNOWN_DATABASE: 'VALIDATION_ERROR',
  EPISODE_NOT_FOUND: 'EXECUTION_ERROR',
  EPISODE_FINISHED: 'EXECUTION_ERROR',
  EPISODE_NOT_STARTED: 'EXECUTION_ERROR',
  CAPACITY_REACHED: 'CAPACITY_REACHED',
  DATABASE_UNAVAILABLE: 'EXECUTION_ERROR',
  MODEL_NOT_CONFIGURED: 'EXECUTION_ERROR',
  MODEL_UNAVAILABLE: 'EXECUTION_ERROR',
  MODEL_TIMEOUT: 'EXECUTION_ERROR',
  MODEL_AUTH: 'EXECUTION_ERROR',
  MODEL_RATE_LIMITED: 'EXECUTION_ERROR',
  MODEL_BAD_RESPONSE: 'EXECUTION_ERROR',
  EPISODE_SETUP: 'FACTORY_ERROR',
  UNAUTHORIZED: 'SESSION_ERROR',
  CLIENT_CLOSED: 'EXECUTION_ERROR',
  CONFIG: 'EXECUTION_ERROR',
  DATASET: 'EXECUTION_ERROR',
};

/** Error codes whose taxonomy needs `loc`-shaped details for 422 bodies. */
function locFor(err: AppError): (string | number)[] {
  if (err.code === 'UNKNOWN_TASK') return ['body', 'task_id'];
  if (err.code === 'UNKNOWN_QUESTION') return ['body', 'question_id'];
  return ['body'];
}

export interface HttpError {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Maps any thrown value to an HTTP answer, logging 5xx with stack at error and 4xx at info. */
export function toHttp(err: unknown, log: Logger): HttpError {
  if (isJsonSyntaxError(err)) {
    return { status: 422, body: { detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: err.message } }] }, headers: {} };
  }
  if (isBodyParserError(err)) {
    return { status: err.status, body: { detail: err.message }, headers: {} };
  }
  if (err instanceof z.ZodError) err = new RequestValidationError([]);
  if (err instanceof RequestValidationError) {
    log.info({ code: err.code }, 'request validation failed');
    return { status: 422, body: { detail: err.issues }, headers: {} };
  }
  if (err instanceof AppError) {
    const status = HTTP_STATUS[err.code];
    if (status >= 500) log.error({ err }, err.message);
    else log.info({ code: err.code, msg: err.message }, 'request failed');
    const body =
      status === 422
        ? { detail: [{ type: 'value_error', loc: locFor(err), msg: err.message, input: err.details ?? null }] }
        : { detail: err.message, code: err.code, ...(err.details ?? {}) };
    const headers: Record<string, string> = err.code === 'CAPACITY_REACHED' || err.code === 'MODEL_RATE_LIMITED' ? { 'Retry-After': '1' } : {};
    return { status, body, headers };
  }
  log.error({ err }, 'unhandled error');
  return { status: 500, body: 'Internal Server Error', headers: { 'Content-Type': 'text/plain' } };
}

/** A WS frame that is not JSON or has an unknown type (no env involved). */
export class WsFrameError extends Error {
  constructor(readonly code: 'INVALID_JSON' | 'UNKNOWN_TYPE', message: string) {
    super(message);
  }
}

/** express.json()'s error for a body that is not JSON. */
function isJsonSyntaxError(err: unknown): err is SyntaxError {
  return err instanceof SyntaxError && (err as { type?: string }).type === 'entity.parse.failed';
}

/** express.json()'s other client errors (body too large, bad charset): they carry their own 4xx status. */
function isBodyParserError(err: unknown): err is Error & { status: number } {
  const status = (err as { status?: unknown; type?: unknown } | null)?.status;
  return err instanceof Error && typeof (err as { type?: unknown }).type === 'string' && typeof status === 'number' && status >= 400 && status < 500;
}

export interface WsErrorFrame {
  type: 'error';
  data: { message: string; code: WsErrorCode; [key: string]: unknown };
}

/** Maps any thrown value to an OpenEnv WS error frame; `atSetup` makes unknown errors SESSION_ERROR. */
export function toWsFrame(err: unknown, log: Logger, atSetup = false): WsErrorFrame {
  if (err instanceof WsFrameError) return { type: 'error', data: { message: err.message, code: err.code } };
  if (err instanceof RequestValidationError) {
    return { type: 'error', data: { message: err.message === 'Invalid message' ? 'Invalid message' : err.message, code: 'VALIDATION_ERROR', errors: err.issues } };
  }
  if (err instanceof AppError) {
    if (HTTP_STATUS[err.code] >= 500 && err.code !== 'CAPACITY_REACHED') log.error({ err }, err.message);
    const extra = err.code === 'UNKNOWN_TASK' || err.code === 'UNKNOWN_QUESTION' ? { errors: [{ type: 'value_error', loc: locFor(err).slice(1), msg: err.message }] } : {};
    return { type: 'error', data: { message: err.message, code: WS_CODE[err.code], ...(err.details ?? {}), ...extra } };
  }
  log.error({ err }, 'unhandled error');
  const message = err instanceof Error ? err.message : String(err);
  return { type: 'error', data: { message, code: atSetup ? 'SESSION_ERROR' : 'EXECUTION_ERROR' } };
}
