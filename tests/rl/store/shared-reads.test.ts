import { describe, expect, it } from 'vitest';
import { SharedReads } from '../../../src/rl/store/shared-reads.js';

describe('SharedReads', () => {
  it('runs one read at a time and lets the calls made meanwhile share the next read of their key', async () => {
    const reads = new SharedReads<string>();
    let version = 0;
    const started: string[] = [];
    let finishFirst: (() => void) | undefined;
    const run = (key: string) => async () => {
      started.push(key);
      if (started.length === 1) await new Promise<void>((resolve) => (finishFirst = resolve));
      return `${key}@${version}`;
    };
    const first = reads.read('a', run('a'));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a']);
    // Written after the first read started: the calls made now must see it.
    version = 1;
    const shared = [reads.read('a', run('a')), reads.read('a', run('a')), reads.read('b', run('b'))];
    expect(started).toEqual(['a']);
    finishFirst?.();
    expect(await first).toBe('a@1');
    expect(await Promise.all(shared)).toEqual(['a@1', 'a@1', 'b@1']);
    expect(started).toEqual(['a', 'a', 'b']);
  });

  it('goes on after a failed read, and a call made after it starts a read of its own', async () => {
    const reads = new SharedReads<number>();
    await expect(reads.read('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    let runs = 0;
    expect(await reads.read('k', async () => ++runs)).toBe(1);
    expect(await reads.read('k', async () => ++runs)).toBe(2);
  });
});
