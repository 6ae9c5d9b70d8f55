import { randomBytes } from 'node:crypto';
import { RandomSource } from './random.js';

const POOL_BYTES = 4096;

/** Randomness from the operating system, for what must never repeat across runs (cluster and topic ids). */
export class CryptoRandom extends RandomSource {
  private pool = randomBytes(POOL_BYTES);
  private used = 0;

  next(): number {
    if (this.used + 4 > POOL_BYTES) {
      this.pool = randomBytes(POOL_BYTES);
      this.used = 0;
    }
    const value = this.pool.readUInt32BE(this.used);
    this.used += 4;
    return value / 4294967296;
  }
}
