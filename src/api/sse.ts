import type { Response } from 'express';

/** Writes Server-Sent Events to an Express response; refuses event names with line breaks. */
export class SseWriter {
  private isOpen = true;

  constructor(private readonly res: Response) {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.on('close', () => {
      this.isOpen = false;
    });
  }

  get isClosed(): boolean {
    return !this.isOpen;
  }

  /** One `event:`/`data:` frame; data is JSON on a single line. */
  send(event: string, data: unknown): void {
    if (!this.isOpen) return;
    if (/[\r\n]/.test(event)) throw new Error('SSE event names must not contain line breaks');
    this.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.res.end();
  }
}
