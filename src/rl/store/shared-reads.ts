/**
 * Reads that callers share: one runs at a time, and the calls that arrive while it runs share the next read of their
 * key, which starts when the current one ends. A read shared by a caller starts after that caller's call, so each
 * caller still sees everything committed before it asked. why: under load every episode's policy syncs the same
 * `eventsAfter(lastEventId)`, and one query per sync kept PostgreSQL's connections busy with identical reads.
 */
export class SharedReads<T> {
  private current: Promise<unknown> = Promise.resolve();
  private readonly next = new Map<string, Promise<T>>();

  read(key: string, run: () => Promise<T>): Promise<T> {
    const queued = this.next.get(key);
    if (queued !== undefined) return queued;
    const started = this.current.then(() => {
      this.next.delete(key);
      return run();
    });
    this.next.set(key, started);
    this.current = started.catch(() => undefined);
    return started;
  }
}
