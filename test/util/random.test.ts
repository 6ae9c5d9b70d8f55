import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/util/random.js';

describe('SeededRandom', () => {
  it('replays the same sequence from the same seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const drawn = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(drawn);
    expect(new SeededRandom(43).nextUint32()).not.toBe(drawn[0]);
  });

  it('keeps draws inside their ranges', () => {
    const r = new SeededRandom(7);
    const floats = Array.from({ length: 10_000 }, () => r.next());
    const ints = Array.from({ length: 10_000 }, () => r.between(-3, 3));
    expect(Math.min(...floats)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...floats)).toBeLessThan(1);
    expect(new Set(ints)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
  });

  it('covers the whole range roughly evenly', () => {
    const r = new SeededRandom(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[r.int(4)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('picks from a list and rejects empty lists and bad bounds', () => {
    const r = new SeededRandom(3);
    expect(['a', 'b']).toContain(r.pick(['a', 'b']));
    expect(() => r.pick([])).toThrow(RangeError);
    expect(() => r.int(0)).toThrow(RangeError);
  });
});
