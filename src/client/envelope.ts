import type { Observation } from '../env/index.js';

/** The OpenEnv envelope every reset/step returns. */
export interface Envelope {
  observation: Observation;
  reward: number | null;
  done: boolean;
}

/** An HTTP error answer or a WS error frame, with the server's body. */
export class ServerError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ServerError';
  }

  static async fromResponse(res: Response): Promise<ServerError> {
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // a plain-text body stays text
    }
    return ServerError.fromBody(res.status, body);
  }

  static fromBody(status: number, body: unknown): ServerError {
    const detail = (body as { detail?: unknown } | null)?.detail;
    const message = typeof detail === 'string' ? detail : typeof body === 'string' ? body : JSON.stringify(detail ?? body);
    const code = (body as { code?: unknown } | null)?.code;
    return new ServerError(status, `HTTP ${status}: ${message}`, body, typeof code === 'string' ? code : undefined);
  }
}
