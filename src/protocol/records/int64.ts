const TWO_POW_32 = 4294967296;

/** Big-endian int64 at `at`; callers that need a safe integer check Number.isSafeInteger. */
export function readInt64BE(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4);
}

export function writeInt64BE(buf: Buffer, at: number, v: number): void {
  if (!Number.isSafeInteger(v)) throw new RangeError(`int64 value ${v} is not a safe integer`);
  const hi = Math.floor(v / TWO_POW_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * TWO_POW_32, at + 4);
}
