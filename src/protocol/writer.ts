const SLAB_SIZE = 64 * 1024;
/** Buffers at least this large are appended by reference; smaller ones are cheaper to copy. */
const ZERO_COPY_THRESHOLD = 512;
const TWO_POW_32 = 4294967296;

/** Kafka caps every string, compact or not, at 32767 bytes. */
function stringByteLength(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  if (n > 0x7fff) throw new RangeError(`string of ${n} bytes exceeds Kafka's 32767-byte limit`);
  return n;
}

/** A position in the output that is patched once the bytes after it are known. */
export interface Mark {
  readonly slab: Buffer;
  readonly pos: number;
  /** Bytes written before the mark, to measure what follows it. */
  readonly written: number;
}

/**
 * Writes Kafka's primitive types into a slab that is reused across messages: each finished
 * message is handed out as views into the slab, and the next one continues after it. Large
 * external buffers (record data) are appended by reference, so the output is a list of chunks
 * ready for `socket.writev`-style sends and never a copy of the records.
 */
export class Writer {
  private slab: Buffer;
  private pos = 0;
  private segmentStart = 0;
  private chunks: Buffer[] = [];
  private writtenTotal = 0;

  constructor(private readonly slabSize = SLAB_SIZE) {
    this.slab = Buffer.allocUnsafe(slabSize);
  }

  /** Bytes written since the last finish. */
  get length(): number {
    return this.writtenTotal;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.slab.length) return;
    this.sealSegment();
    this.slab = Buffer.allocUnsafe(Math.max(this.slabSize, n));
    this.pos = 0;
    this.segmentStart = 0;
  }

  private sealSegment(): void {
    if (this.pos > this.segmentStart) this.chunks.push(this.slab.subarray(this.segmentStart, this.pos));
    this.segmentStart = this.pos;
  }

  /** Big-endian 32 bits by direct byte stores: much cheaper than Buffer#writeInt32BE's checks. */
  private put32(v: number, at: number): void {
    const b = this.slab;
    b[at] = v >>> 24;
    b[at + 1] = v >>> 16;
    b[at + 2] = v >>> 8;
    b[at + 3] = v;
  }

  writeInt8(v: number): this {
    this.ensure(1);
    this.slab.writeInt8(v, this.pos);
    this.pos += 1;
    this.writtenTotal += 1;
    return this;
  }

  writeUInt8(v: number): this {
    this.ensure(1);
    this.slab[this.pos++] = v;
    this.writtenTotal += 1;
    return this;
  }

  writeBool(v: boolean): this {
    return this.writeInt8(v ? 1 : 0);
  }

  writeInt16(v: number): this {
    this.ensure(2);
    const b = this.slab;
    b[this.pos] = v >>> 8;
    b[this.pos + 1] = v;
    this.pos += 2;
    this.writtenTotal += 2;
    return this;
  }

  writeUInt16(v: number): this {
    this.ensure(2);
    this.slab.writeUInt16BE(v, this.pos);
    this.pos += 2;
    this.writtenTotal += 2;
    return this;
  }

  writeInt32(v: number): this {
    this.ensure(4);
    this.put32(v, this.pos);
    this.pos += 4;
    this.writtenTotal += 4;
    return this;
  }

  writeUInt32(v: number): this {
    this.ensure(4);
    this.slab.writeUInt32BE(v, this.pos);
    this.pos += 4;
    this.writtenTotal += 4;
    return this;
  }

  /** int64 from a safe-integer number (see docs/design/int64.md). */
  writeInt64(v: number): this {
    if (!Number.isSafeInteger(v)) throw new RangeError(`int64 value ${v} is not a safe integer`);
    this.ensure(8);
    const hi = Math.floor(v / TWO_POW_32);
    this.put32(hi, this.pos);
    this.put32(v - hi * TWO_POW_32, this.pos + 4);
    this.pos += 8;
    this.writtenTotal += 8;
    return this;
  }

  writeFloat64(v: number): this {
    this.ensure(8);
    this.slab.writeDoubleBE(v, this.pos);
    this.pos += 8;
    this.writtenTotal += 8;
    return this;
  }

  writeUuid(v: string): this {
    this.ensure(16);
    const n = this.slab.write(v, this.pos, 16, 'base64url');
    if (n !== 16 || v.length !== 22) throw new RangeError(`not a 16-byte base64url uuid: ${v}`);
    this.pos += 16;
    this.writtenTotal += 16;
    return this;
  }

  writeUVarint(v: number): this {
    this.ensure(5);
    while (v >= 0x80) {
      this.slab[this.pos++] = (v & 0x7f) | 0x80;
      this.writtenTotal++;
      v = Math.floor(v / 128);
    }
    this.slab[this.pos++] = v;
    this.writtenTotal++;
    return this;
  }

  writeVarint(v: number): this {
    return this.writeUVarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  writeVarlong(v: number): this {
    if (!Number.isSafeInteger(v)) throw new RangeError(`varlong value ${v} is not a safe integer`);
    const negative = v < 0;
    const magnitude = negative ? -v - 1 : v;
    const low6 = magnitude % 64;
    const rest = Math.floor(magnitude / 64);
    this.ensure(10);
    this.slab[this.pos++] = (low6 << 1) | (negative ? 1 : 0) | (rest > 0 ? 0x80 : 0);
    this.writtenTotal++;
    return rest > 0 ? this.writeUVarintLong(rest) : this;
  }

  /** Unsigned varint of a value that may exceed 32 bits (the tail of a varlong). */
  private writeUVarintLong(v: number): this {
    while (v >= 0x80) {
      this.slab[this.pos++] = (v % 128) | 0x80;
      this.writtenTotal++;
      v = Math.floor(v / 128);
    }
    this.slab[this.pos++] = v;
    this.writtenTotal++;
    return this;
  }

  private writeUtf8(s: string, byteLength: number): void {
    this.ensure(byteLength);
    this.slab.write(s, this.pos, byteLength, 'utf8');
    this.pos += byteLength;
    this.writtenTotal += byteLength;
  }

  writeString(s: string): this {
    const n = stringByteLength(s);
    this.writeInt16(n);
    this.writeUtf8(s, n);
    return this;
  }

  writeNullableString(s: string | null): this {
    return s === null ? this.writeInt16(-1) : this.writeString(s);
  }

  writeCompactString(s: string): this {
    const n = stringByteLength(s);
    this.writeUVarint(n + 1);
    this.writeUtf8(s, n);
    return this;
  }

  writeCompactNullableString(s: string | null): this {
    return s === null ? this.writeUVarint(0) : this.writeCompactString(s);
  }

  writeBytes(b: Buffer): this {
    this.writeInt32(b.length);
    return this.writeRaw(b);
  }

  writeNullableBytes(b: Buffer | null): this {
    return b === null ? this.writeInt32(-1) : this.writeBytes(b);
  }

  writeCompactBytes(b: Buffer): this {
    this.writeUVarint(b.length + 1);
    return this.writeRaw(b);
  }

  writeCompactNullableBytes(b: Buffer | null): this {
    return b === null ? this.writeUVarint(0) : this.writeCompactBytes(b);
  }

  writeArrayLength(n: number): this {
    return this.writeInt32(n);
  }

  writeCompactArrayLength(n: number): this {
    return this.writeUVarint(n + 1);
  }

  /** Bytes without a length prefix: small ones are copied, large ones appended by reference. */
  writeRaw(b: Buffer): this {
    if (b.length < ZERO_COPY_THRESHOLD) {
      this.ensure(b.length);
      b.copy(this.slab, this.pos);
      this.pos += b.length;
    } else {
      this.sealSegment();
      this.chunks.push(b);
    }
    this.writtenTotal += b.length;
    return this;
  }

  /** Reserves an int32 to be patched later (sizes and lengths known only afterwards). */
  reserveInt32(): Mark {
    this.ensure(4);
    const mark = { slab: this.slab, pos: this.pos, written: this.writtenTotal + 4 };
    this.pos += 4;
    this.writtenTotal += 4;
    return mark;
  }

  patchInt32(mark: Mark, v: number): void {
    mark.slab.writeInt32BE(v, mark.pos);
  }

  /** Bytes written after the mark. */
  writtenSince(mark: Mark): number {
    return this.writtenTotal - mark.written;
  }

  /** Ends the current message: returns its chunks and keeps the slab for the next one. */
  finish(): Buffer[] {
    this.sealSegment();
    const out = this.chunks;
    this.chunks = [];
    this.writtenTotal = 0;
    return out;
  }

  /** Ends the current message as one contiguous buffer (copies when there are several chunks). */
  finishToBuffer(): Buffer {
    const chunks = this.finish();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }
}
