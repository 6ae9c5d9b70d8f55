import { describe, expect, it } from 'vitest';
import { CryptoRandom } from '../../src/util/crypto-random.js';

describe('CryptoRandom', () => {
  it('draws uniform values in [0, 1) across pool refills', () => {
    const random = new CryptoRandom();
    const draws = Array.from({ length: 5000 }, () => random.next());
    expect(draws.every((d) => d >= 0 && d < 1)).toBe(true);
    expect(new Set(draws).size).toBeGreaterThan(4990);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('gives two instances different streams', () => {
    const a = Array.from({ length: 8 }, () => new CryptoRandom().int(2 ** 31));
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});
