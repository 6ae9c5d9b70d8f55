import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/protocol/decode-error.js';
import { Reader } from '../../src/protocol/reader.js';
import { SeededRandom } from '../../src/util/random.js';
import { hex } from './support/hex.js';
import { referenceUVarint, referenceVarlong } from './support/varint-reference.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MIN_SAFE = Number.MIN_SAFE_INTEGER;

function reader(bytes: Buffer): Reader {
  return new Reader(bytes);
}

/** Reads with `read` and checks that exactly the whole input was consumed. */
function readAll<T>(bytes: Buffer, read: (r: Reader) => T): T {
  const r = reader(bytes);
  const value = read(r);
  expect(r.remaining, 'unread bytes').toBe(0);
  return value;
}

describe('Reader: fixed-width integers', () => {
  it.each([
    ['0000000000000000', 0],
    ['ffffffffffffffff', -1],
    ['001fffffffffffff', MAX_SAFE],
    ['ffe0000000000001', MIN_SAFE],
    ['0000000100000000', 2 ** 32],
    ['ffffffff00000000', -(2 ** 32)],
  ])('reads int64 %s as %d', (bytes, value) => {
    expect(readAll(Buffer.from(bytes, 'hex'), (r) => r.readInt64())).toBe(value);
  });

  it.each([
    ['0020000000000000', '2^53'],
    ['ffe0000000000000', '-2^53'],
    ['7fffffffffffffff', 'int64 max'],
    ['8000000000000000', 'int64 min'],
  ])('rejects int64 %s (%s) outside the safe integer range with DecodeError', (bytes) => {
    expect(() => reader(Buffer.from(bytes, 'hex')).readInt64()).toThrow(DecodeError);
  });

  it('reads the limits of int8, int16, int32, uint16 and uint32', () => {
    const r = reader(hex`80 7f  8000 7fff  80000000 7fffffff  ffff  ffffffff`);
    expect([r.readInt8(), r.readInt8(), r.readInt16(), r.readInt16(), r.readInt32(), r.readInt32(), r.readUInt16(), r.readUInt32()]).toEqual([
      -128, 127, -32768, 32767, -2147483648, 2147483647, 65535, 4294967295,
    ]);
  });

  it('reads any non-zero byte as true, as Kafka does', () => {
    const r = reader(hex`00 01 02 ff`);
    expect([r.readBool(), r.readBool(), r.readBool(), r.readBool()]).toEqual([false, true, true, true]);
  });

  it('reads float64 including NaN, infinities and negative zero', () => {
    const values = [Math.PI, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE];
    const bytes = Buffer.alloc(8 * values.length);
    values.forEach((v, i) => bytes.writeDoubleBE(v, 8 * i));
    const r = reader(bytes);
    expect(values.map(() => r.readFloat64())).toEqual(values);
  });

  it('reads a uuid as 22 base64url characters', () => {
    expect(readAll(hex`00112233445566778899aabbccddeeff`, (r) => r.readUuid())).toBe(Buffer.from('00112233445566778899aabbccddeeff', 'hex').toString('base64url'));
  });

  it('raises DecodeError, not RangeError, for every fixed width read past the end', () => {
    const reads: Array<(r: Reader) => unknown> = [
      (r) => r.readInt8(),
      (r) => r.readInt16(),
      (r) => r.readUInt16(),
      (r) => r.readInt32(),
      (r) => r.readUInt32(),
      (r) => r.readInt64(),
      (r) => r.readFloat64(),
      (r) => r.readUuid(),
    ];
    for (const read of reads) expect(() => read(reader(Buffer.alloc(0)))).toThrow(DecodeError);
  });

  it('never reads past the end of its window, even when the buffer goes on', () => {
    const r = new Reader(hex`01 02 03 04 05 06`, 1, 3);
    expect(r.readInt16()).toBe(0x0203);
    expect(() => r.readInt8()).toThrow(DecodeError);
  });
});

describe('Reader: varints', () => {
  it.each([
    ['00', 0],
    ['7f', 127],
    ['8001', 128],
    ['ff7f', 16383],
    ['808001', 16384],
    ['ffffffff0f', 0xffffffff],
  ])('reads unsigned varint %s as %d', (bytes, value) => {
    expect(readAll(Buffer.from(bytes, 'hex'), (r) => r.readUVarint())).toBe(value);
  });

  it.each([
    ['8080808010', 'a value of 2^32'],
    ['ffffffff1f', 'a value above 2^32'],
    ['808080808001', 'six bytes'],
    ['80', 'a missing last byte'],
  ])('rejects unsigned varint %s (%s) with DecodeError', (bytes) => {
    expect(() => reader(Buffer.from(bytes, 'hex')).readUVarint()).toThrow(DecodeError);
  });

  it.each([
    ['00', 0],
    ['01', -1],
    ['02', 1],
    ['7f', -64],
    ['8001', 64],
    ['feffffff0f', 2147483647],
    ['ffffffff0f', -2147483648],
  ])('reads zig-zag varint %s as %d', (bytes, value) => {
    expect(readAll(Buffer.from(bytes, 'hex'), (r) => r.readVarint())).toBe(value);
  });

  it.each([
    ['00', 0],
    ['01', -1],
    ['7e', 63],
    ['7f', -64],
    ['8001', 64],
    ['feffffff0f', 2147483647],
    ['ffffffff0f', -2147483648],
    ['8080808010', 2 ** 31],
    ['feffffffffffff1f', MAX_SAFE],
    ['fdffffffffffff1f', MIN_SAFE],
  ])('reads zig-zag varlong %s as %d', (bytes, value) => {
    expect(readAll(Buffer.from(bytes, 'hex'), (r) => r.readVarlong())).toBe(value);
  });

  it('agrees with a BigInt reference for varlongs across the safe range', () => {
    const rng = new SeededRandom(7);
    const values = [0, 1, -1, 63, -64, 8191, -8192, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 52, -(2 ** 52), MAX_SAFE, MIN_SAFE];
    for (let i = 0; i < 1000; i++) values.push(Math.floor((rng.next() * 2 - 1) * MAX_SAFE));
    for (const v of values) expect(readAll(referenceVarlong(BigInt(v)), (r) => r.readVarlong()), `varlong ${v}`).toBe(v);
  });

  it.each([
    ['80808080808080' + '20', '2^53'],
    ['ffffffffffffff1f', '-2^53'],
    ['feffffffffffffffff01', 'int64 max'],
    ['ffffffffffffffffff01', 'int64 min'],
  ])('rejects varlong %s (%s) outside the safe integer range with DecodeError', (bytes) => {
    expect(() => reader(Buffer.from(bytes, 'hex')).readVarlong()).toThrow(DecodeError);
  });

  it('rejects a varlong longer than ten bytes', () => {
    expect(() => reader(hex`80 80 80 80 80 80 80 80 80 80 00`).readVarlong()).toThrow(DecodeError);
  });

  it('agrees with a BigInt reference for unsigned varints up to 2^32 - 1', () => {
    for (const v of [0, 1, 127, 128, 2 ** 14, 2 ** 21 - 1, 2 ** 28, 2 ** 31, 0xffffffff]) {
      expect(readAll(referenceUVarint(v), (r) => r.readUVarint()), `uvarint ${v}`).toBe(v);
    }
  });
});

describe('Reader: lengths, strings and bytes', () => {
  it('reads compact strings as unsigned varint N+1, with 0 meaning null', () => {
    expect(readAll(hex`00`, (r) => r.readCompactNullableString())).toBeNull();
    expect(readAll(hex`01`, (r) => r.readCompactString())).toBe('');
    expect(readAll(hex`04 616263`, (r) => r.readCompactString())).toBe('abc');
    expect(readAll(Buffer.concat([hex`8001`, Buffer.alloc(127, 0x78)]), (r) => r.readCompactString())).toBe('x'.repeat(127));
    expect(() => reader(hex`00`).readCompactString()).toThrow(DecodeError);
  });

  it('limits compact strings to 32767 bytes, as the readers Kafka generates do ("had invalid length")', () => {
    const longest = Buffer.concat([referenceUVarint(0x7fff + 1), Buffer.alloc(0x7fff, 0x78)]);
    expect(readAll(longest, (r) => r.readCompactString())).toHaveLength(0x7fff);
    const tooLong = Buffer.concat([referenceUVarint(0x8000 + 1), Buffer.alloc(0x8000, 0x78)]);
    expect(() => reader(tooLong).readCompactString()).toThrow(DecodeError);
    expect(() => reader(tooLong).readCompactNullableString()).toThrow(DecodeError);
  });

  it('reads int16-prefixed strings, with -1 meaning null', () => {
    expect(readAll(hex`ffff`, (r) => r.readNullableString())).toBeNull();
    expect(readAll(hex`0000`, (r) => r.readString())).toBe('');
    expect(readAll(hex`0004 f09fa684`, (r) => r.readString())).toBe('🦄');
    expect(() => reader(hex`ffff`).readString()).toThrow(DecodeError);
  });

  it('reads bytes as views of the frame, not copies', () => {
    const frame = hex`00000003 0a0b0c  04 0d0e0f`;
    const r = reader(frame);
    const plain = r.readBytes();
    const compact = r.readCompactBytes();
    expect([...plain, ...compact]).toEqual([10, 11, 12, 13, 14, 15]);
    expect(plain.buffer).toBe(frame.buffer);
    expect(compact.buffer).toBe(frame.buffer);
  });

  it('reads null bytes and rejects them where the schema does not allow null', () => {
    expect(readAll(hex`ffffffff`, (r) => r.readNullableBytes())).toBeNull();
    expect(readAll(hex`00`, (r) => r.readCompactNullableBytes())).toBeNull();
    expect(() => reader(hex`ffffffff`).readBytes()).toThrow(DecodeError);
    expect(() => reader(hex`00`).readCompactBytes()).toThrow(DecodeError);
  });

  it('reads array lengths: -1 and compact 0 are null, compact N+1 is N', () => {
    expect(readAll(hex`ffffffff`, (r) => r.readArrayLength())).toBe(-1);
    expect(readAll(hex`00`, (r) => r.readCompactArrayLength())).toBe(-1);
    expect(readAll(hex`01`, (r) => r.readCompactArrayLength())).toBe(0);
    expect(reader(hex`03 0000`).readCompactArrayLength()).toBe(2);
    expect(() => reader(hex`fffffffe`).readArrayLength()).toThrow(DecodeError);
  });

  it.each([
    ['string', hex`7fff 00`, (r: Reader) => r.readString()],
    ['compact string', hex`ffffffff0f 00`, (r: Reader) => r.readCompactString()],
    ['bytes', hex`7fffffff 00`, (r: Reader) => r.readBytes()],
    ['compact bytes', hex`ffffffff0f 00`, (r: Reader) => r.readCompactBytes()],
    ['array', hex`7fffffff 00`, (r: Reader) => r.readArrayLength()],
    ['compact array', hex`ffffffff0f 00`, (r: Reader) => r.readCompactArrayLength()],
    ['raw bytes', hex`00`, (r: Reader) => r.readRaw(2 ** 31 - 1)],
    ['skip', hex`00`, (r: Reader) => r.skip(2 ** 31 - 1)],
  ])('rejects a %s length beyond the bytes left with DecodeError', (_what, bytes, read) => {
    expect(() => read(reader(bytes))).toThrow(DecodeError);
  });

  it('reports the offset of the failure', () => {
    const r = reader(hex`0001 41 0005 42`);
    r.readString();
    let error: unknown;
    try {
      r.readString();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).offset).toBe(5);
  });
});
