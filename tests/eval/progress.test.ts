import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/eval/progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (t: string) => writes.push(t) } };
}

describe('progress', () => {
  it('rewrites one line in place on a TTY, with count, accuracy, time per episode and ETA', () => {
    let now = 0;
    const { writes, stream } = sink(true);
    const progress = createProgress({ total: 4, stream, nowMs: () => now });
    now = 2000;
    progress.tick(true);
    now = 4000;
    progress.tick(false);
    progress.finish();
    expect(writes[0]).toBe('\r\x1b[2K[........................] 0/4 0% | acc - | 0.0 s/ep | ETA 0s');
    expect(writes[2]).toBe('\r\x1b[2K[############............] 2/4 50% | acc 50.0% | 2.0 s/ep | ETA 4s');
    expect(writes.at(-1)).toBe('\n');
  });

  it('prints plain lines at most once per interval, and always the last one, when not a TTY', () => {
    let now = 0;
    const { writes, stream } = sink(false);
    const progress = createProgress({ total: 3, stream, intervalMs: 10_000, nowMs: () => now });
    now = 1000;
    progress.tick(true);
    now = 2000;
    progress.tick(true);
    now = 70_000;
    progress.tick(false);
    progress.finish();
    expect(writes).toEqual([
      'eval [########................] 1/3 33% | acc 100.0% | 1.0 s/ep | ETA 2s\n',
      'eval [########################] 3/3 100% | acc 66.7% | 23.3 s/ep | ETA 0s\n',
    ]);
  });
});
