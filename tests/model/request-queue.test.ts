import { describe, expect, it } from 'vitest';
import { createRequestQueue } from '../../src/model/request-queue.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createRequestQueue', () => {
  it('runs tasks one at a time in arrival order', async () => {
    const queue = createRequestQueue();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`start ${name}`);
      await new Promise((r) => setImmediate(r));
      events.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([queue.run(task('a')), queue.run(task('b')), queue.run(task('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(queue.isBusy).toBe(false);
  });

  it('removes a waiting task whose signal aborts, rejects it with an AbortError and never runs it', async () => {
    const queue = createRequestQueue();
    const gate = deferred();
    const ran: string[] = [];
    const first = queue.run(async () => {
      ran.push('first');
      await gate.promise;
    });
    const controller = new AbortController();
    const second = queue.run(async () => void ran.push('second'), controller.signal);
    const third = queue.run(async () => void ran.push('third'));
    expect(queue.waiting).toBe(2);
    controller.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    expect(queue.waiting).toBe(1);
    gate.resolve();
    await Promise.all([first, third]);
    expect(ran).toEqual(['first', 'third']);
  });

  it('rejects at once when the signal has already fired', async () => {
    const queue = createRequestQueue();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(queue.run(async () => 1, controller.signal)).rejects.toThrow('gone');
    expect(queue.isBusy).toBe(false);
  });

  it('moves on to the next task when one throws', async () => {
    const queue = createRequestQueue();
    const failing = queue.run(() => {
      throw new Error('boom');
    });
    const next = queue.run(async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
  });
});
