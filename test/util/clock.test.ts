import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/util/clock.js';

describe('clocks', () => {
  it('moves a manual clock only when told', () => {
    const clock = new ManualClock(100);
    expect(clock.now()).toBe(100);
    clock.advance(50);
    expect(clock.now()).toBe(150);
    clock.set(10);
    expect(clock.now()).toBe(10);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('reads wall-clock milliseconds from the system clock', () => {
    expect(Number.isSafeInteger(systemClock.now())).toBe(true);
  });
});
