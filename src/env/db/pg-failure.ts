import pg from 'pg';
import type { SqlFailure } from './engine.js';

const SOCKET_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH',
  'EAI_AGAIN', 'ENOENT',
]);

// why: SQLSTATEs that mean the server or the session is gone, not that the query was wrong.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '3D000', '28000', '28P01']);

const DRIVER_CONNECTION_MESSAGES = /Connection terminated|not queryable|Connection ended|timeout expired|connection error/i;

/** True when `err` means the connection or server failed (retry on a fresh connection), not the agent's SQL. */
export function isConnectionFault(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) {
    const code = err.code ?? '';
    // why: 08P01 also answers an agent's `$1` (no parameters bound); the session survives it.
    if (code === '08P01') return err.severity === 'FATAL';
    return code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || err.severity === 'FATAL' || err.severity === 'PANIC';
  }
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && SOCKET_ERROR_CODES.has(code)) || DRIVER_CONNECTION_MESSAGES.test(err.message);
}

/** `host:port` (or the socket directory) of a connection string, for messages; never the user or password. */
export function describeServer(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const host = url.searchParams.get('host') ?? (url.hostname === '' ? 'localhost' : url.hostname);
    return `${host}:${url.port === '' ? '5432' : url.port}`;
  } catch {
    return 'the configured server';
  }
}

/** The client-safe text of a connection failure: the driver message with any password in the URL removed. */
export function unavailableMessage(databaseUrl: string, err: unknown): string {
  let reason = err instanceof Error && err.message !== '' ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && !reason.includes(code)) reason = `${code} ${reason}`;
  try {
    const password = decodeURIComponent(new URL(databaseUrl).password);
    if (password !== '') reason = reason.replaceAll(password, '***');
  } catch {
    // not a URL: nothing to mask
  }
  return `PostgreSQL at ${describeServer(databaseUrl)} is unavailable: ${reason}`;
}

/** A server-side error of the agent's SQL as a SqlFailure; 57014 from statement_timeout becomes kind 'timeout'. */
export function toSqlFailure(err: pg.DatabaseError, timeoutMs: number, elapsedMs: number): SqlFailure {
  const code = err.code ?? 'XX000';
  if (code === '57014' && /statement timeout/i.test(err.message)) {
    return {
      ok: false,
      kind: 'timeout',
      dialect: 'postgres',
      code: 'TIMEOUT',
      message: `${err.message} (limit ${timeoutMs} ms)`,
      detail: 'SQLSTATE 57014',
      elapsedMs,
    };
  }
  const failure: SqlFailure = { ok: false, kind: 'error', dialect: 'postgres', code, message: err.message, elapsedMs };
  const position = Number(err.position);
  if (err.position !== undefined && Number.isInteger(position)) failure.position = position;
  if (err.hint !== undefined) failure.hint = err.hint;
  if (err.detail !== undefined) failure.detail = err.detail;
  return failure;
}

/** The failure of a query the server never answered in time; the connection it used has been dropped. */
export function noAnswerFailure(timeoutMs: number, elapsedMs: number): SqlFailure {
  return {
    ok: false,
    kind: 'timeout',
    dialect: 'postgres',
    code: 'TIMEOUT',
    message: `PostgreSQL did not answer within ${timeoutMs} ms; the query was abandoned`,
    elapsedMs,
  };
}
