import { describe, expect, it } from 'vitest';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { SeededRandom } from '../../src/util/random.js';
import { hex } from './support/hex.js';
import { referenceUVarint, referenceVarlong } from './support/varint-reference.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MIN_SAFE = Number.MIN_SAFE_INTEGER;

function bytesOf(write: (w: Writer) => void, slabSize?: number): Buffer {
  const w = new Writer(slabSize);
  write(w);
  return w.finishToBuffer();
}

describe('Writer: varints', () => {
  const edges = [0, -1, 1, 63, -64, 64, 8191, -8192, 2147483647, -2147483648];

  it.each(edges)('writes varint %d as the reference zig-zag encoding', (v) => {
    expect(bytesOf((w) => w.writeVarint(v)).toString('hex')).toBe(referenceVarlong(BigInt(v)).toString('hex'));
  });

  it.each([...edges, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 52, -(2 ** 52), MAX_SAFE, MIN_SAFE])('writes varlong %d as the reference zig-zag encoding', (v) => {
    expect(bytesOf((w) => w.writeVarlong(v)).toString('hex')).toBe(referenceVarlong(BigInt(v)).toString('hex'));
  });

  it('writes the safe extremes as eight-byte varlongs', () => {
    expect(bytesOf((w) => w.writeVarlong(MAX_SAFE))).toEqual(hex`fe ff ff ff ff ff ff 1f`);
    expect(bytesOf((w) => w.writeVarlong(MIN_SAFE))).toEqual(hex`fd ff ff ff ff ff ff 1f`);
  });

  it('agrees with the reference and the reader for seeded random varlongs', () => {
    const rng = new SeededRandom(11);
    const w = new Writer(64);
    const values = Array.from({ length: 2000 }, () => Math.floor((rng.next() * 2 - 1) * MAX_SAFE));
    for (const v of values) w.writeVarlong(v);
    const bytes = w.finishToBuffer();
    expect(bytes).toEqual(Buffer.concat(values.map((v) => referenceVarlong(BigInt(v)))));
    const r = new Reader(bytes);
    expect(values.map(() => r.readVarlong())).toEqual(values);
  });

  it.each([0, 127, 128, 16383, 16384, 2 ** 28, 0xffffffff])('writes unsigned varint %d as the reference encoding', (v) => {
    expect(bytesOf((w) => w.writeUVarint(v)).toString('hex')).toBe(referenceUVarint(v).toString('hex'));
  });

  it('refuses int64 and varlong values it cannot represent exactly', () => {
    for (const v of [2 ** 53, -(2 ** 53), 1.5, NaN, Infinity]) {
      expect(() => new Writer().writeInt64(v), `int64 ${v}`).toThrow(RangeError);
      expect(() => new Writer().writeVarlong(v), `varlong ${v}`).toThrow(RangeError);
    }
  });
});

describe('Writer: fixed widths, strings and lengths', () => {
  it('writes int64 extremes big-endian', () => {
    expect(bytesOf((w) => w.writeInt64(MAX_SAFE).writeInt64(MIN_SAFE).writeInt64(-1))).toEqual(hex`
      001fffffffffffff  # 2^53 - 1
      ffe0000000000001  # -(2^53 - 1)
      ffffffffffffffff  # -1
    `);
  });

  it('writes compact strings and arrays as unsigned varint N+1, and null as 0', () => {
    const bytes = bytesOf((w) => {
      w.writeCompactNullableString(null);
      w.writeCompactString('');
      w.writeCompactString('é');
      w.writeCompactString('x'.repeat(127));
      w.writeCompactArrayLength(0);
    });
    expect(bytes).toEqual(
      Buffer.concat([
        hex`
          00       # null
          01       # ""
          03 c3a9  # "é": 2 UTF-8 bytes + 1
          8001     # 127 bytes + 1 = 128, a two-byte varint
        `,
        Buffer.alloc(127, 0x78),
        hex`01     # empty array`,
      ]),
    );
  });

  it('keeps int16 lengths for classic strings and refuses strings longer than 32767 bytes', () => {
    expect(bytesOf((w) => w.writeNullableString(null).writeString('🦄'))).toEqual(hex`ffff  0004 f09fa684`);
    expect(() => new Writer().writeString('x'.repeat(0x8000))).toThrow(RangeError);
  });

  it('refuses compact strings longer than 32767 bytes, as the writers Kafka generates do ("field is too long")', () => {
    expect(bytesOf((w) => w.writeCompactString('x'.repeat(0x7fff)))).toHaveLength(3 + 0x7fff);
    expect(() => new Writer().writeCompactString('x'.repeat(0x8000))).toThrow(RangeError);
  });

  it('writes uuids from base64url and refuses anything that is not 16 bytes', () => {
    const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    expect(bytesOf((w) => w.writeUuid(uuid.toString('base64url')))).toEqual(uuid);
    expect(() => new Writer().writeUuid('AAAA')).toThrow(RangeError);
    expect(() => new Writer().writeUuid('A'.repeat(30))).toThrow(RangeError);
  });

  it('counts what it has written since the last finish', () => {
    const w = new Writer();
    w.writeInt32(1).writeString('ab');
    expect(w.length).toBe(8);
    w.finish();
    expect(w.length).toBe(0);
  });
});

describe('Writer: slabs, zero copy and patching', () => {
  it('hands out each message as a view of a shared slab that later messages do not overwrite', () => {
    const w = new Writer(64);
    w.writeInt32(0x11111111);
    const first = w.finishToBuffer();
    w.writeInt32(0x22222222);
    const second = w.finishToBuffer();
    expect(second.buffer).toBe(first.buffer);
    expect(first).toEqual(hex`11111111`);
    expect(second).toEqual(hex`22222222`);
  });

  it('moves to a new slab when the current one is full, keeping earlier output intact', () => {
    const w = new Writer(16);
    for (let i = 0; i < 10; i++) w.writeInt32(i);
    const chunks = w.finish();
    expect(chunks.length).toBeGreaterThan(1);
    const bytes = Buffer.concat(chunks);
    expect(Array.from({ length: 10 }, (_, i) => bytes.readInt32BE(4 * i))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('writes values larger than a slab', () => {
    const s = 'y'.repeat(100);
    expect(bytesOf((w) => w.writeString(s), 16)).toEqual(Buffer.concat([hex`0064`, Buffer.from(s)]));
  });

  it('appends large buffers by reference and copies small ones', () => {
    const large = Buffer.alloc(1024, 7);
    const small = Buffer.alloc(16, 8);
    const w = new Writer();
    w.writeInt8(1);
    w.writeBytes(large);
    w.writeBytes(small);
    const chunks = w.finish();
    expect(chunks.filter((c) => c === large)).toHaveLength(1);
    expect(chunks.some((c) => c === small)).toBe(false);
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([hex`01 00000400`, large, hex`00000010`, small]));
  });

  it('patches reserved ints across slab boundaries', () => {
    // Slabs of 16 bytes: the outer mark fills the last 4 bytes of the first slab and the size it
    // records spans three slabs; the inner mark starts a new slab because only 2 bytes are left.
    const w = new Writer(16);
    w.writeRaw(Buffer.alloc(12, 0xaa));
    const outer = w.reserveInt32();
    w.writeRaw(Buffer.alloc(14, 0xbb));
    const inner = w.reserveInt32();
    w.writeRaw(Buffer.alloc(30, 0xcc));
    w.patchInt32(inner, w.writtenSince(inner));
    w.patchInt32(outer, w.writtenSince(outer));
    const chunks = w.finish();
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const bytes = Buffer.concat(chunks);
    expect(bytes.length).toBe(12 + 4 + 14 + 4 + 30);
    expect(bytes.readInt32BE(12)).toBe(14 + 4 + 30);
    expect(bytes.readInt32BE(30)).toBe(30);
    expect(bytes.subarray(34)).toEqual(Buffer.alloc(30, 0xcc));
  });

  it('patches a reserved int after a large buffer was appended by reference', () => {
    const w = new Writer(32);
    const size = w.reserveInt32();
    w.writeRaw(Buffer.alloc(600, 1));
    w.writeInt8(2);
    w.patchInt32(size, w.writtenSince(size));
    const bytes = w.finishToBuffer();
    expect(bytes.readInt32BE(0)).toBe(601);
    expect(bytes.length).toBe(605);
  });
});
