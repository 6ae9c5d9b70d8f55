/**
 * A reference encoding of Kafka's zig-zag varints in BigInt arithmetic, deliberately unlike the
 * codec's number arithmetic, to check the codec against for any value.
 */
export function referenceVarlong(value: bigint): Buffer {
  let zigzag = value >= 0n ? value << 1n : (-value << 1n) - 1n;
  const out: number[] = [];
  while (zigzag >= 0x80n) {
    out.push(Number(zigzag & 0x7fn) | 0x80);
    zigzag >>= 7n;
  }
  out.push(Number(zigzag));
  return Buffer.from(out);
}

export function referenceUVarint(value: number): Buffer {
  const out: number[] = [];
  let v = BigInt(value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}
