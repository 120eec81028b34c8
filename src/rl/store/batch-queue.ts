interface Queued<W, R> {
  write: W;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/** The most writes one batch takes; the rest wait for the next. */
export const DEFAULT_MAX_BATCH = 256;

/**
 * Group commit for a store whose commits are asynchronous round trips (PostgreSQL): one batch is in flight at a
 * time, and the writes pushed meanwhile go together in the next, one transaction for all of them. A lone write waits
 * one event-loop turn (for the other writes of that turn) before its batch starts.
 *
 * `runBatch` writes a batch in one transaction and returns each write's result, in order. When it throws, every
 * write of that batch is retried alone through `runOne`, in order: a failed statement aborts a PostgreSQL transaction
 * and with it the whole batch, and alone only the write at fault fails. Each promise settles once its write is
 * committed (or has failed), so "resolved" still means "durable".
 */
export class BatchQueue<W, R> {
  private queue: Queued<W, R>[] = [];
  private isDraining = false;

  constructor(
    private readonly runBatch: (writes: W[]) => Promise<R[]>,
    private readonly runOne: (write: W) => Promise<R>,
    private readonly maxBatch = DEFAULT_MAX_BATCH,
  ) {}

  push(write: W): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (this.isDraining) return;
      this.isDraining = true;
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let results: R[];
      try {
        results = await this.runBatch(batch.map((q) => q.write));
      } catch {
        await this.oneByOne(batch);
        continue;
      }
      batch.forEach((q, i) => q.resolve(results[i] as R));
    }
    this.isDraining = false;
  }

  private async oneByOne(batch: Queued<W, R>[]): Promise<void> {
    for (const q of batch) {
      try {
        q.resolve(await this.runOne(q.write));
      } catch (err) {
        q.reject(err);
      }
    }
  }
}
