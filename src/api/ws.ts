import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { EpisodeRegistry, type Environment, type Episode } from '../env/index.js';
import type { Logger } from '../logger.js';
import { isAuthorized } from './auth.js';
import { toWsFrame, WsFrameError } from './error-map.js';
import { observationFrameJson } from './frame-json.js';
import { handleMcp } from './mcp.js';
import type { Metrics } from './metrics.js';
import { parseAction, parseOrThrow, parseReset, WS_MESSAGE_TYPES, WsMessageSchema } from './protocol.js';

export interface WsDeps {
  env: Environment;
  metrics: Metrics;
  log: Logger;
  apiToken: string | undefined;
  maxSessions: number;
  idleTimeoutS: number;
}

interface Session {
  id: string;
  socket: WebSocket;
  episode: Episode;
  queue: Promise<void>;
  /** Messages received whose reply has not been handed to the kernel yet. */
  unanswered: number;
}

/**
 * A client may send this many messages ahead of its replies; past it the server stops reading from its socket until
 * it is down to half, so TCP flow control holds the rest back in the client. why: every message waits in memory for
 * the episode's serial queue and every reply (~11 KB) waits in memory until the client reads it, so a client that
 * sends without reading would otherwise grow the server's memory without bound. OpenEnv's client sends one at a time.
 */
const MAX_UNANSWERED = 32;

/** OpenEnv's /ws: one episode per connection, one frame in → one frame out, in order. */
export class WsSessions {
  readonly registry: EpisodeRegistry;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  private readonly sessions = new Map<string, Session>();
  private reaper: NodeJS.Timeout | undefined;

  constructor(private readonly deps: WsDeps) {
    this.registry = new EpisodeRegistry({ maxEpisodes: deps.maxSessions, idleTimeoutS: deps.idleTimeoutS, whenFull: 'refuse', create: () => deps.env.createEpisode() });
  }

  /** Accepts upgrades for pathname /ws on the given HTTP server; other paths are refused with 404. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (pathname !== '/ws') return refuseUpgrade(socket, 404, 'Not Found');
      if (!isAuthorized(req, this.deps.apiToken)) return refuseUpgrade(socket, 401, 'Unauthorized');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
    const everyMs = Math.max((this.deps.idleTimeoutS * 1000) / 4, 5000);
    this.reaper = setInterval(() => this.reapIdle(), everyMs);
    this.reaper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Closes sessions idle past the timeout (code 1000, reason 'idle timeout'). */
  reapIdle(nowMs = Date.now()): number {
    let reaped = 0;
    for (const session of this.sessions.values()) {
      if (nowMs - session.episode.lastActivityMs > this.deps.idleTimeoutS * 1000) {
        session.socket.close(1000, 'idle timeout');
        this.end(session);
        reaped += 1;
      }
    }
    return reaped;
  }

  close(): void {
    if (this.reaper !== undefined) clearInterval(this.reaper);
    for (const session of [...this.sessions.values()]) {
      session.socket.close(1001, 'server shutting down');
      this.end(session);
    }
    this.wss.close();
  }

  private onConnection(socket: WebSocket): void {
    const id = randomUUID();
    let episode: Episode;
    try {
      episode = this.registry.open(id);
    } catch (err) {
      socket.send(JSON.stringify(toWsFrame(err, this.deps.log, true)));
      socket.close(1000);
      return;
    }
    const session: Session = { id, socket, episode, queue: Promise.resolve(), unanswered: 0 };
    this.sessions.set(id, session);
    this.deps.metrics.activeSessions.set({ transport: 'ws' }, this.sessions.size);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      session.unanswered += 1;
      if (session.unanswered >= MAX_UNANSWERED && !socket.isPaused) {
        socket.pause();
        this.deps.metrics.wsReadPauses.inc();
      }
      session.queue = session.queue.then(() => this.onMessage(session, isBinary ? data : data.toString()));
    });
    socket.on('close', () => this.end(session));
    socket.on('error', (err) => this.deps.log.debug({ err }, 'ws socket error'));
  }

  private async onMessage(session: Session, data: RawData | string): Promise<void> {
    let reply: string | Buffer | undefined;
    if (session.socket.readyState === session.socket.OPEN) {
      try {
        reply = await this.reply(session, data);
      } catch (err) {
        reply = JSON.stringify(toWsFrame(err, this.deps.log));
      }
    }
    if (reply === undefined || session.socket.readyState !== session.socket.OPEN) return this.answered(session);
    // why binary: false: observation replies are UTF-8 JSON bytes, and OpenEnv clients expect text frames.
    session.socket.send(reply, { binary: false }, () => this.answered(session));
  }

  /** One reply left (or none is due): read from a paused client again once it is down to half its allowance. */
  private answered(session: Session): void {
    session.unanswered -= 1;
    if (session.socket.isPaused && session.unanswered <= MAX_UNANSWERED / 2) session.socket.resume();
  }

  /** The reply frame's JSON (text, or UTF-8 bytes); undefined for `close`, which gets none. */
  private async reply(session: Session, data: RawData | string): Promise<string | Buffer | undefined> {
    const message = parseFrame(data);
    switch (message.type) {
      case 'reset':
        return observationFrameJson(await session.episode.reset(parseReset(message.data, [])));
      case 'step': {
        const done = this.deps.metrics.startStep('ws');
        try {
          const result = await session.episode.step(parseAction(message.data), { onEvent: this.deps.metrics.observing() });
          done('ok');
          return observationFrameJson(result);
        } catch (err) {
          done('error');
          throw err;
        }
      }
      case 'state':
        return JSON.stringify({ type: 'state', data: session.episode.state() });
      case 'mcp':
        return JSON.stringify({ type: 'mcp', data: handleMcp(message.data) });
      case 'close':
        session.socket.close(1000);
        this.end(session);
        return undefined;
    }
  }

  private end(session: Session): void {
    if (!this.sessions.delete(session.id)) return;
    this.registry.close(session.id);
    this.deps.metrics.activeSessions.set({ transport: 'ws' }, this.sessions.size);
  }
}

function parseFrame(data: RawData | string) {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : Buffer.from(data as Buffer).toString('utf8'));
  } catch (err) {
    throw new WsFrameError('INVALID_JSON', `Invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !WS_MESSAGE_TYPES.includes(type)) {
    throw new WsFrameError('UNKNOWN_TYPE', `Unknown message type: ${typeof type === 'string' || type === undefined ? (type ?? '') : JSON.stringify(type)}`);
  }
  return parseOrThrow(WsMessageSchema, value, []);
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}
