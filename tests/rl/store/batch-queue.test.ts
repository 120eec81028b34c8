import { describe, expect, it } from 'vitest';
import { BatchQueue } from '../../../src/rl/store/batch-queue.js';

/** A queue over an in-memory "store" that records each batch and each lone retry; `failOn` makes a batch throw. */
function setUp(options: { failOn?: (w: number) => boolean; maxBatch?: number } = {}) {
  const batches: number[][] = [];
  const alone: number[] = [];
  let release: (() => void) | undefined;
  let isHeld = false;
  const queue = new BatchQueue<number, string>(
    async (writes) => {
      batches.push(writes);
      if (isHeld) await new Promise<void>((resolve) => (release = resolve));
      if (writes.some((w) => options.failOn?.(w) === true)) throw new Error('batch failed');
      return writes.map((w) => `ok ${w}`);
    },
    async (w) => {
      alone.push(w);
      if (options.failOn?.(w) === true) throw new Error(`write ${w} failed`);
      return `alone ${w}`;
    },
    options.maxBatch,
  );
  return {
    queue,
    batches,
    alone,
    hold: () => (isHeld = true),
    release: () => {
      isHeld = false;
      release?.();
    },
  };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('BatchQueue', () => {
  it('writes the pushes of one turn as one batch and resolves each with its own result', async () => {
    const { queue, batches } = setUp();
    const results = await Promise.all([1, 2, 3].map((w) => queue.push(w)));
    expect(results).toEqual(['ok 1', 'ok 2', 'ok 3']);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('gathers the writes pushed while a batch is in flight into the next one, in order', async () => {
    const { queue, batches, hold, release } = setUp();
    hold();
    const first = queue.push(1);
    await nextTurn();
    expect(batches).toEqual([[1]]);
    const later = [2, 3, 4].map((w) => queue.push(w));
    await nextTurn();
    await nextTurn();
    expect(batches).toHaveLength(1);
    release();
    expect(await first).toBe('ok 1');
    expect(await Promise.all(later)).toEqual(['ok 2', 'ok 3', 'ok 4']);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const { queue, batches } = setUp({ maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((w) => queue.push(w)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('retries a failed batch one write at a time, so only the write at fault fails', async () => {
    const { queue, alone } = setUp({ failOn: (w) => w === 2 });
    const settled = await Promise.allSettled([1, 2, 3].map((w) => queue.push(w)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual(['alone 1', 'write 2 failed', 'alone 3']);
    expect(alone).toEqual([1, 2, 3]);
    expect(await queue.push(4)).toBe('ok 4');
  });
});
