/**
 * A counting semaphore whose holders may give their place back before they finish: a query that turns out slow
 * keeps its connection but stops counting towards the pool's places. Places go in arrival order.
 */
export class Places {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(count: number) {
    this.free = count;
  }

  /** Resolves once a place is free, with the function that gives it back (calling it again does nothing). */
  async take(): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let isHeld = true;
    return () => {
      if (!isHeld) return;
      isHeld = false;
      const next = this.waiting.shift();
      if (next === undefined) this.free += 1;
      else next();
    };
  }
}
