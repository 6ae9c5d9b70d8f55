const TWO_POW_32 = 4294967296;

/**
 * Big-endian int64 at `at`; callers that need a safe integer check Number.isSafeInteger. Reads
 * the bytes directly: Buffer#readInt32BE's argument checks were a fifth of the cost of checking
 * an idempotent producer's batch, which reads several int64 header fields.
 */
export function readInt64BE(buf: Buffer, at: number): number {
  if (at < 0 || at + 8 > buf.length) throw new RangeError(`int64 at ${at} is outside a buffer of ${buf.length} bytes`);
  const hi = (buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3];
  const lo = buf[at + 4] * 0x1000000 + ((buf[at + 5] << 16) | (buf[at + 6] << 8) | buf[at + 7]);
  return hi * TWO_POW_32 + lo;
}

export function writeInt64BE(buf: Buffer, at: number, v: number): void {
  if (!Number.isSafeInteger(v)) throw new RangeError(`int64 value ${v} is not a safe integer`);
  const hi = Math.floor(v / TWO_POW_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * TWO_POW_32, at + 4);
}
