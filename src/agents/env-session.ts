import { HttpEnvClient, WsEnvClient } from '../client/index.js';
import type { EnvSession } from './types.js';

export type Transport = 'http' | 'ws';

export interface SessionOptions {
  baseUrl: string;
  token?: string;
  transport: Transport;
  timeoutMs?: number;
}

/** An HTTP episode: the reset's episode_id addresses every later step. */
export function createHttpSession(client: HttpEnvClient): EnvSession {
  let episodeId: string | undefined;
  return {
    async reset(options) {
      const envelope = await client.reset(options);
      episodeId = envelope.observation.episode_id;
      return envelope;
    },
    step(action) {
      if (episodeId === undefined) throw new Error('step before reset');
      return client.step(action, episodeId);
    },
    close: () => Promise.resolve(),
  };
}

/** A WebSocket episode: one connection, closed (ending the episode on the server) by close(). */
export async function createWsSession(baseUrl: string, options: { token?: string; timeoutMs?: number } = {}): Promise<EnvSession> {
  const client = await WsEnvClient.connect(baseUrl, options);
  return {
    reset: (resetOptions) => client.reset(resetOptions),
    step: (action) => client.step(action),
    close: () => client.close(),
  };
}

/** Opens a session over the chosen transport. */
export function openSession(options: SessionOptions): Promise<EnvSession> {
  if (options.transport === 'ws') return createWsSession(options.baseUrl, { token: options.token, timeoutMs: options.timeoutMs });
  return Promise.resolve(createHttpSession(new HttpEnvClient({ baseUrl: options.baseUrl, token: options.token, timeoutMs: options.timeoutMs })));
}
