/** Milliseconds since the Unix epoch, injected so that time-driven logic can be tested and simulated. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
};

/** A clock that moves only when told to: for tests and seeded simulations. */
export class ManualClock implements Clock {
  constructor(private current = 0) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`cannot move a clock backwards by ${ms} ms`);
    this.current += ms;
  }

  set(ms: number): void {
    this.current = ms;
  }
}
