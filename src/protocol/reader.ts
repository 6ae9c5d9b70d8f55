import { DecodeError } from './decode-error.js';

const TWO_POW_32 = 4294967296;
const MAX_UVARINT32_BYTES = 5;
const MAX_VARLONG_BYTES = 10;
const MAX_STRING_BYTES = 0x7fff;

/**
 * Reads Kafka's primitive types from a window of a Buffer. Every read is bounds-checked against
 * the window's end (the frame), so malformed input surfaces as a DecodeError and never as a
 * RangeError or a read past the frame. Byte and string values are views, not copies.
 */
export class Reader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(message: string): never {
    throw new DecodeError(message, this.pos);
  }

  /** Big-endian int32 by direct byte loads, cheaper than Buffer#readInt32BE's checks. */
  private get32(at: number): number {
    const b = this.buf;
    return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
  }

  private need(n: number): void {
    if (this.pos + n > this.end) this.fail(`truncated: need ${n} bytes, ${this.end - this.pos} left`);
  }

  readInt8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  readUInt8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  readBool(): boolean {
    return this.readInt8() !== 0;
  }

  readInt16(): number {
    this.need(2);
    const b = this.buf;
    const v = ((b[this.pos] << 24) | (b[this.pos + 1] << 16)) >> 16;
    this.pos += 2;
    return v;
  }

  readUInt16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  readInt32(): number {
    this.need(4);
    const v = this.get32(this.pos);
    this.pos += 4;
    return v;
  }

  readUInt32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** int64 as a JavaScript number; values outside the safe-integer range are rejected. */
  readInt64(): number {
    this.need(8);
    const v = this.get32(this.pos) * TWO_POW_32 + (this.get32(this.pos + 4) >>> 0);
    if (!Number.isSafeInteger(v)) this.fail('int64 outside the safe integer range');
    this.pos += 8;
    return v;
  }

  readFloat64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  readUuid(): string {
    this.need(16);
    const v = this.buf.toString('base64url', this.pos, this.pos + 16);
    this.pos += 16;
    return v;
  }

  /** Unsigned varint limited to 32 bits, as Kafka uses for compact lengths and tags. */
  readUVarint(): number {
    const first = this.readUInt8();
    if (first < 0x80) return first;
    let result = first & 0x7f;
    let scale = 128;
    for (let i = 1; i < MAX_UVARINT32_BYTES; i++) {
      const b = this.readUInt8();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) this.fail('unsigned varint exceeds 32 bits');
        return result;
      }
      scale *= 128;
    }
    this.fail('unsigned varint longer than 5 bytes');
  }

  /** Zig-zag signed varint (int32), used inside records. */
  readVarint(): number {
    const raw = this.readUVarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Zig-zag signed varlong (int64) as a safe-integer number. */
  readVarlong(): number {
    const first = this.readUInt8();
    const negative = (first & 1) === 1;
    let magnitude = (first & 0x7f) >>> 1;
    if ((first & 0x80) !== 0) {
      let rest = 0;
      let scale = 1;
      for (let i = 0; ; i++) {
        if (i === MAX_VARLONG_BYTES - 1) this.fail('varlong longer than 10 bytes');
        const b = this.readUInt8();
        rest += (b & 0x7f) * scale;
        if ((b & 0x80) === 0) break;
        scale *= 128;
      }
      magnitude += rest * 64;
      // -magnitude - 1 must stay safe too: the largest negative magnitude is one less.
      if (!Number.isSafeInteger(magnitude) || (negative && magnitude === Number.MAX_SAFE_INTEGER)) {
        this.fail('varlong outside the safe integer range');
      }
    }
    return negative ? -magnitude - 1 : magnitude;
  }

  /** A length that must fit in what is left of the frame. */
  private checkedLength(length: number, what: string): number {
    if (length > this.end - this.pos) this.fail(`${what} length ${length} exceeds the ${this.end - this.pos} bytes left`);
    return length;
  }

  private stringOf(length: number): string {
    // Kafka caps every string at 32767 bytes, compact ones included.
    if (length > MAX_STRING_BYTES) this.fail(`string length ${length} exceeds ${MAX_STRING_BYTES}`);
    this.checkedLength(length, 'string');
    const v = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return v;
  }

  private bytesOf(length: number): Buffer {
    this.checkedLength(length, 'bytes');
    const v = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return v;
  }

  readString(): string {
    const length = this.readInt16();
    if (length < 0) this.fail('null where a string is required');
    return this.stringOf(length);
  }

  readNullableString(): string | null {
    const length = this.readInt16();
    return length < 0 ? null : this.stringOf(length);
  }

  readCompactString(): string {
    const length = this.readUVarint() - 1;
    if (length < 0) this.fail('null where a string is required');
    return this.stringOf(length);
  }

  readCompactNullableString(): string | null {
    const length = this.readUVarint() - 1;
    return length < 0 ? null : this.stringOf(length);
  }

  readBytes(): Buffer {
    const length = this.readInt32();
    if (length < 0) this.fail('null where bytes are required');
    return this.bytesOf(length);
  }

  readNullableBytes(): Buffer | null {
    const length = this.readInt32();
    return length < 0 ? null : this.bytesOf(length);
  }

  readCompactBytes(): Buffer {
    const length = this.readUVarint() - 1;
    if (length < 0) this.fail('null where bytes are required');
    return this.bytesOf(length);
  }

  readCompactNullableBytes(): Buffer | null {
    const length = this.readUVarint() - 1;
    return length < 0 ? null : this.bytesOf(length);
  }

  /** Raw bytes of a known length (no prefix), as a view. */
  readRaw(length: number): Buffer {
    return this.bytesOf(length);
  }

  skip(length: number): void {
    this.checkedLength(length, 'skipped field');
    this.pos += length;
  }

  /**
   * Array element count: -1 is null. Like Kafka's generated code, a count larger than the bytes
   * left is rejected before anything is allocated.
   */
  readArrayLength(): number {
    const n = this.readInt32();
    if (n < -1) this.fail(`negative array length ${n}`);
    return n < 0 ? -1 : this.checkedLength(n, 'array');
  }

  readCompactArrayLength(): number {
    const n = this.readUVarint() - 1;
    return n < 0 ? -1 : this.checkedLength(n, 'array');
  }
}
