import { describe, expect, it } from 'vitest';
import { Places } from '../../../src/env/db/places.js';

/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Places', () => {
  it('hands out places in arrival order, and a place given back twice frees only one', async () => {
    const places = new Places(1);
    const order: string[] = [];
    const first = await places.take();
    const second = places.take().then((giveBack) => (order.push('second'), giveBack));
    const third = places.take().then((giveBack) => (order.push('third'), giveBack));
    first();
    first();
    const giveSecondBack = await second;
    await settle();
    expect(order).toEqual(['second']);
    giveSecondBack();
    (await third)();
    expect(order).toEqual(['second', 'third']);
  });

  it('lets as many hold a place as there are places', async () => {
    const places = new Places(2);
    const taken = await Promise.all([places.take(), places.take()]);
    let isThirdIn = false;
    const third = places.take().then(() => (isThirdIn = true));
    await settle();
    expect(isThirdIn).toBe(false);
    taken[0]?.();
    await third;
    expect(isThirdIn).toBe(true);
  });
});
