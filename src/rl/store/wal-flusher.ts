import fs from 'node:fs';

/**
 * Keeps a WAL file's dirty pages few by fsyncing it on libuv's thread pool every `everyCommits` commits, for a
 * connection with synchronous=NORMAL (which syncs the WAL only when it checkpoints).
 *
 * why: the automatic checkpoint runs inside the COMMIT that crosses wal_autocheckpoint, on the event loop, and
 * starts with an fsync of the whole WAL. Under bench:server's load that fsync wrote ~1,000 frames and took ~2.7 ms
 * of the checkpoint's ~5 ms, ~15 times a second, and every step in flight waited for it: those stalls were most of
 * the p99. Synced every 4 commits in the background, the checkpoint's fsync finds a few frames left (~0.3 ms). It
 * only syncs earlier what would be synced anyway, so durability is unchanged.
 */
export class WalFlusher {
  private commitsSinceSync = 0;
  private isSyncing = false;
  private fd: number | undefined;

  constructor(
    walPath: string,
    private readonly everyCommits: number,
  ) {
    try {
      this.fd = fs.openSync(walPath, 'r');
    } catch {
      // why quiet: without it the store works as before; the checkpoint then syncs the whole WAL itself.
      this.fd = undefined;
    }
  }

  /** Called after each COMMIT. */
  committed(): void {
    const fd = this.fd;
    if (fd === undefined || ++this.commitsSinceSync < this.everyCommits || this.isSyncing) return;
    this.commitsSinceSync = 0;
    this.isSyncing = true;
    // why errors are ignored: a failing disk fails the checkpoint's own fsync, where SQLite reports it.
    fs.fsync(fd, () => {
      this.isSyncing = false;
      if (this.fd === undefined) fs.close(fd, () => undefined);
    });
  }

  /** Closes the descriptor now, or when the fsync in flight ends (closing under it could sync a file that reuses it). */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    if (!this.isSyncing) fs.closeSync(fd);
  }
}
