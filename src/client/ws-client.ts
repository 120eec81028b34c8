import WebSocket from 'ws';
import type { Action, ResetOptions, State } from '../env/index.js';
import { ServerError, type Envelope } from './envelope.js';

/** OpenEnv's WebSocket protocol: one episode per connection; one frame out, one frame back, in order. */
export class WsEnvClient {
  private readonly pending: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  private closedError: Error | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const waiter = this.pending.shift();
      if (waiter === undefined) return;
      const frame = JSON.parse(data.toString()) as { type: string; data: Record<string, unknown> };
      if (frame.type === 'error') {
        const d = frame.data;
        waiter.reject(new ServerError(0, `Server error: ${String(d.message)} (code: ${String(d.code)})`, d, String(d.code)));
      } else waiter.resolve(frame.data);
    });
    socket.on('close', (code, reason) => {
      this.closedError = new Error(`socket closed (${code}${reason.length > 0 ? `: ${reason.toString()}` : ''})`);
      for (const waiter of this.pending.splice(0)) waiter.reject(this.closedError);
    });
  }

  /** Connects to `<base>/ws` (http→ws, https→wss), as OpenEnv's EnvClient does. */
  static connect(baseUrl: string, options: { token?: string; timeoutMs?: number } = {}): Promise<WsEnvClient> {
    const url = `${baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws')}/ws`;
    const headers = options.token === undefined ? undefined : { Authorization: `Bearer ${options.token}` };
    const socket = new WebSocket(url, { headers, handshakeTimeout: options.timeoutMs ?? 10_000 });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new WsEnvClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new ServerError(res.statusCode ?? 0, `WebSocket upgrade refused: ${res.statusCode}`, undefined)));
    });
  }

  reset(options: ResetOptions | Record<string, unknown> = {}): Promise<Envelope> {
    return this.send({ type: 'reset', data: options }) as Promise<Envelope>;
  }

  step(action: Partial<Action>): Promise<Envelope> {
    return this.send({ type: 'step', data: action }) as Promise<Envelope>;
  }

  state(): Promise<State> {
    return this.send({ type: 'state' }) as Promise<State>;
  }

  /** Sends any frame (tests use this for malformed messages) and waits for the one reply. */
  send(frame: unknown): Promise<unknown> {
    return this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(text: string): Promise<unknown> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.send(text);
    });
  }

  /** Sends {"type":"close"} (no reply) and waits for the socket to close. */
  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'close' }));
      else this.socket.terminate();
    });
  }

  get raw(): WebSocket {
    return this.socket;
  }
}
