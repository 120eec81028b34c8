import type { Database, Statement } from 'better-sqlite3';

interface Waiter {
  onCommit: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for a better-sqlite3 connection: every write made during one event-loop turn goes into one
 * transaction, committed on the next `setImmediate` (or earlier, by `flush()`). Each write's promise resolves only
 * after that COMMIT, so "resolved" still means "committed"; what changes is that the commit (with
 * synchronous=FULL, an fsync) is paid per turn instead of per write, and rows of one turn share WAL pages (measured
 * on the policy_event table: 112 µs a row committed alone, 83 µs in threes, 50 µs in fifties).
 *
 * `onCommit` callbacks run in write order, after the commit and before the promises resolve: that is where a
 * caller publishes what is now durable. `afterCommit` runs once per COMMIT, before them. When the COMMIT fails,
 * the transaction is rolled back, every write of the turn is rejected and `onRollback` runs.
 */
export class GroupCommit {
  private waiters: Waiter[] = [];
  private isOpen = false;
  // why prepared: db.exec compiles its SQL on every call, and these two run on every turn that writes.
  private readonly begin: Statement;
  private readonly commit: Statement;

  constructor(
    private readonly db: Database,
    private readonly onRollback: (err: unknown) => void,
    private readonly afterCommit: () => void = () => undefined,
  ) {
    // why IMMEDIATE: take the write lock at BEGIN (waiting busy_timeout for another process), not at the first insert.
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
  }

  /** True while this turn's transaction is open: no other connection can commit until it ends. */
  get holdsWriteLock(): boolean {
    return this.isOpen;
  }

  /** Runs `write` inside the turn's transaction; resolves with its result once committed. */
  write<T>(write: () => T, onCommit: (value: T) => void = () => undefined): Promise<T> {
    let value: T;
    try {
      if (!this.isOpen) {
        this.begin.run();
        this.isOpen = true;
        setImmediate(() => this.flush());
      }
      // A failed statement is undone on its own; the transaction and the turn's other writes go on.
      value = write();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise<T>((resolve, reject) => {
      this.waiters.push({ onCommit: () => onCommit(value), resolve: () => resolve(value), reject });
    });
  }

  /** Commits the open transaction, if any. Reads call this first so they never see uncommitted rows. */
  flush(): void {
    if (!this.isOpen) return;
    const waiters = this.waiters;
    this.waiters = [];
    this.isOpen = false;
    try {
      this.commit.run();
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.onRollback(err);
      for (const w of waiters) w.reject(err);
      return;
    }
    this.afterCommit();
    for (const w of waiters) w.onCommit();
    for (const w of waiters) w.resolve();
  }
}
