import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Action, ResetOptions, State, StepEvent } from '../env/index.js';
import type { Envelope } from './envelope.js';
import { ServerError } from './envelope.js';

/** One task of GET /tasks. */
export interface TaskListing {
  task_id: string;
  description: string;
  difficulty: string;
  questions: { question_id: string; question: string; difficulty: string; db_id: string }[];
}

export interface HttpClientOptions {
  baseUrl: string;
  token?: string;
  /** Per-request timeout; default 60 s. */
  timeoutMs?: number;
}

/** A typed client for the HTTP routes: /reset, /step, /state and the SSE /step/stream. */
export class HttpEnvClient {
  private readonly baseUrl: string;

  constructor(private readonly options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  reset(options: ResetOptions = {}): Promise<Envelope> {
    return this.post('/reset', options);
  }

  step(action: Partial<Action>, episodeId?: string): Promise<Envelope> {
    return this.post('/step', { action, ...(episodeId === undefined ? {} : { episode_id: episodeId }) });
  }

  async state(episodeId?: string): Promise<State> {
    const query = episodeId === undefined ? '' : `?episode_id=${encodeURIComponent(episodeId)}`;
    return this.request<State>('GET', `/state${query}`);
  }

  /** GET /tasks: every task with its questions. */
  tasks(): Promise<TaskListing[]> {
    return this.request<TaskListing[]>('GET', '/tasks');
  }

  /** Streams a step: yields each stage event, and returns the final envelope. */
  async *stepStream(action: Partial<Action>, episodeId?: string, signal?: AbortSignal): AsyncGenerator<StepEvent, Envelope> {
    const res = await fetch(`${this.baseUrl}/step/stream`, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify({ action, ...(episodeId === undefined ? {} : { episode_id: episodeId }) }),
      signal,
    });
    if (!res.ok || res.body === null) throw await ServerError.fromResponse(res);
    const queue: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (message) => queue.push(message) });
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
      while (queue.length > 0) {
        const message = queue.shift() as EventSourceMessage;
        const data: unknown = JSON.parse(message.data);
        if (message.event === 'result') return data as Envelope;
        if (message.event === 'failure') throw ServerError.fromBody((data as { status?: number }).status ?? 500, data);
        yield data as StepEvent;
      }
    }
    throw new ServerError(502, 'stream ended without a result event', undefined);
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: this.headers(),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
    });
    if (!res.ok) throw await ServerError.fromResponse(res);
    return (await res.json()) as T;
  }

  private headers(): Record<string, string> {
    return {
      'Content-Type': 'application/json',
      ...(this.options.token === undefined ? {} : { Authorization: `Bearer ${this.options.token}` }),
    };
  }
}
