import { abortReason } from './abort.js';

/** Runs one task at a time, in arrival order; a waiting task whose signal fires leaves the queue. */
export interface RequestQueue {
  /** Resolves with fn's result once every earlier task has finished; rejects with the abort reason if cancelled first. */
  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Tasks waiting (not counting the running one). */
  readonly waiting: number;
  readonly isBusy: boolean;
}

interface Waiter {
  start: () => void;
}

/**
 * A FIFO mutex. The local backend takes it per forward pass, not per request, so concurrent generations
 * interleave step by step (round-robin) and a long answer cannot starve a short one.
 */
export function createRequestQueue(): RequestQueue {
  const waiters: Waiter[] = [];
  let isBusy = false;

  const next = (): void => {
    const waiter = waiters.shift();
    if (waiter === undefined) isBusy = false;
    else waiter.start();
  };

  const run = <T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        reject(abortReason(signal as AbortSignal));
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          isBusy = true;
          void new Promise<T>((res) => res(fn())).then(resolve, reject).finally(next);
        },
      };
      if (!isBusy) {
        waiter.start();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.push(waiter);
    });

  return {
    run,
    get waiting() {
      return waiters.length;
    },
    get isBusy() {
      return isBusy;
    },
  };
}
