// The HTTP API as the viewer uses it: JSON requests with the optional bearer token, the SSE step stream, and
// readable messages for every kind of failure.
import { readSse } from './sse.js';

const TOKEN_KEY = 'sql-repair-env.api-token';
// The page lives at <root>/web/; the API at <root>/ (works behind a path prefix too).
const API_ROOT = new URL('../', document.baseURI);

export class ApiError extends Error {
  constructor(status, body, path) {
    super(describeFailure(status, body, path));
    this.status = status;
    this.body = body;
    this.path = path;
  }
}

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token) {
  try {
    if (token === '') sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: the token lasts for this page only
  }
  memoryToken = token;
}

let memoryToken = getToken();

function headers(hasBody) {
  const result = { Accept: 'application/json, text/event-stream' };
  if (hasBody) result['Content-Type'] = 'application/json';
  if (memoryToken !== '') result.Authorization = `Bearer ${memoryToken}`;
  return result;
}

function urlOf(path) {
  return new URL(path.replace(/^\//, ''), API_ROOT);
}

async function send(method, path, body, signal) {
  try {
    return await fetch(urlOf(path), { method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError(0, { detail: `Cannot reach the server (${err?.message ?? err}).` }, path);
  }
}

async function bodyOf(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function requestJson(method, path, body, signal) {
  const res = await send(method, path, body, signal);
  const parsed = await bodyOf(res);
  if (!res.ok) throw new ApiError(res.status, parsed, path);
  return parsed;
}

export const getJson = (path) => requestJson('GET', path);
export const postJson = (path, body) => requestJson('POST', path, body);

/**
 * POST /step/stream: calls onEvent(name, data) for each stage event and resolves to the final /step envelope.
 * A `failure` event, an HTTP error or a stream without `result` rejects with an ApiError.
 */
export async function streamStep(action, episodeId, { onEvent, signal }) {
  const path = '/step/stream';
  const res = await send('POST', path, { action, episode_id: episodeId }, signal);
  if (!res.ok || res.body === null) throw new ApiError(res.status, await bodyOf(res), path);
  let envelope;
  let failure;
  await readSse(res, (message) => {
    if (envelope !== undefined || failure !== undefined) return;
    let data;
    try {
      data = JSON.parse(message.data);
    } catch {
      failure = new ApiError(502, { detail: `The server sent an unreadable ${message.event} event.` }, path);
      return;
    }
    if (message.event === 'result') envelope = data;
    else if (message.event === 'failure') failure = new ApiError(data.status ?? 500, data, path);
    else onEvent(message.event, data);
  });
  if (failure !== undefined) throw failure;
  if (envelope === undefined) throw new ApiError(502, { detail: 'The step stream ended without a result.' }, path);
  return envelope;
}

function validationLines(detail) {
  return detail.map((item) => {
    const loc = Array.isArray(item?.loc) ? item.loc.filter((part) => part !== 'body').join('.') : '';
    return `${loc === '' ? '' : `${loc}: `}${item?.msg ?? JSON.stringify(item)}`;
  });
}

/** One readable sentence (or a few) for any failed request. */
export function describeFailure(status, body, path) {
  const detail = typeof body === 'object' && body !== null ? body.detail : body;
  if (status === 401) return 'This server requires an API token. Paste it under “API token” at the top of the page.';
  if (status === 422 && Array.isArray(detail)) return `The server rejected the request: ${validationLines(detail).join('; ')}`;
  let text = typeof detail === 'string' && detail.trim() !== '' ? detail.trim() : `${path} answered HTTP ${status}.`;
  if (status === 0) return text;
  if (body?.code === 'CAPACITY_REACHED' || body?.code === 'MODEL_RATE_LIMITED') text += ' The server is busy: try again in a moment.';
  if (status >= 500 && typeof detail !== 'string') text = `The server failed (HTTP ${status}) on ${path}.`;
  return `${text}${status > 0 ? ` (HTTP ${status}${body?.code ? `, ${body.code}` : ''})` : ''}`;
}
