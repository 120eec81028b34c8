/** Where progress goes: stderr in the CLI. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  total: number;
  stream: ProgressStream;
  /** Non-TTY output: one line at most this often, plus the last (default 10 s). */
  intervalMs?: number;
  /** For tests: the clock. */
  nowMs?: () => number;
}

export interface Progress {
  /** One episode finished. */
  tick(isCorrect: boolean): void;
  /** Ends the bar (a newline on a TTY). */
  finish(): void;
}

const BAR_WIDTH = 24;

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * A tiny progress bar: one line rewritten in place on a TTY, else a plain line every intervalMs and at the end.
 * Shows done/total, accuracy so far, time per episode and the time left.
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.nowMs ?? (() => Date.now());
  const startedMs = now();
  const isTTY = options.stream.isTTY === true;
  let done = 0;
  let correct = 0;
  let lastLineMs = Number.NEGATIVE_INFINITY;

  const line = (): string => {
    const elapsedMs = now() - startedMs;
    const perMs = done === 0 ? 0 : elapsedMs / done;
    const share = options.total === 0 ? 1 : done / options.total;
    const filled = Math.round(share * BAR_WIDTH);
    const acc = done === 0 ? '-' : `${((100 * correct) / done).toFixed(1)}%`;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
    return `${bar} ${done}/${options.total} ${(100 * share).toFixed(0)}% | acc ${acc} | ${(perMs / 1000).toFixed(1)} s/ep | ETA ${duration(perMs * (options.total - done))}`;
  };

  const render = (isForced: boolean): void => {
    if (isTTY) {
      options.stream.write(`\r\x1b[2K${line()}`);
      return;
    }
    if (!isForced && now() - lastLineMs < (options.intervalMs ?? 10_000)) return;
    lastLineMs = now();
    options.stream.write(`eval ${line()}\n`);
  };

  if (isTTY) render(true);
  return {
    tick(isCorrect) {
      done++;
      if (isCorrect) correct++;
      render(done === options.total);
    },
    finish() {
      if (isTTY) options.stream.write('\n');
    },
  };
}
