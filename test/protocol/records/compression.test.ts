import { gunzipSync, gzipSync } from 'node:zlib';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compressSync as snappyRaw, uncompressSync as snappyUncompress } from 'snappy';
import zstd from 'zstd-napi';
import { describe, expect, it } from 'vitest';
import { CompressionType } from '../../../src/protocol/records/batch-header.js';
import { codecFor, compressionTypeOf } from '../../../src/protocol/records/compression/codecs.js';
import { compressLz4, decompressLz4 } from '../../../src/protocol/records/compression/lz4.js';
import { decompressSnappy } from '../../../src/protocol/records/compression/snappy.js';
import { xxhash32 } from '../../../src/protocol/records/compression/xxhash32.js';
import { expectBytes, expectDecodeError, noiseBytes, sampleBytes } from './fixtures.js';

const MiB = 1024 * 1024;
const CODECS = [
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
] as const;

/** What an independent decoder (the native library, used directly) makes of our output. */
const NATIVE_DECODERS: Record<string, (data: Buffer) => Buffer> = {
  gzip: (data) => gunzipSync(data),
  snappy: (data) => Buffer.concat(xerialBlocks(data).map((block) => snappyUncompress(block, { asBuffer: true }) as Buffer)),
  lz4: (data) => decompressFrameSync(data),
  zstd: (data) => zstd.decompress(data),
};

const XERIAL_HEADER = Buffer.from('82534e41505059000000000100000001', 'hex');

function xerialBlocks(data: Buffer): Buffer[] {
  expect(data.subarray(0, 16)).toEqual(XERIAL_HEADER);
  const blocks: Buffer[] = [];
  for (let pos = 16; pos < data.length; ) {
    const length = data.readInt32BE(pos);
    blocks.push(data.subarray(pos + 4, pos + 4 + length));
    pos += 4 + length;
  }
  return blocks;
}

function xerialFrame(blocks: Buffer[]): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

describe.each(CODECS)('%s codec', (name, type) => {
  const codec = codecFor(type);
  const inputs = {
    empty: Buffer.alloc(0),
    'one byte': Buffer.from([42]),
    small: sampleBytes(1000),
    'large (1.5 MiB) text': sampleBytes(1.5 * MiB),
    'large (1.25 MiB) noise': noiseBytes(1.25 * MiB),
  };

  it.each(Object.entries(inputs))('round-trips %s input', (_label, input) => {
    const compressed = codec.compress(input);
    expectBytes(codec.decompress(compressed, input.length), input);
    expectBytes(NATIVE_DECODERS[name](compressed), input);
  });

  it('names itself', () => {
    expect(codec.name).toBe(name);
  });

  it('compresses what compresses', () => {
    expect(codec.compress(sampleBytes(MiB)).length).toBeLessThan(MiB / 2);
  });

  it('refuses output beyond the limit', () => {
    const input = sampleBytes(2 * MiB);
    const compressed = codec.compress(input);
    expectDecodeError(() => codec.decompress(compressed, MiB), /more than the 1048576 bytes allowed/);
    expectDecodeError(() => codec.decompress(compressed, input.length - 1), /allowed/);
    expectBytes(codec.decompress(compressed, input.length), input);
  });

  it('refuses a bomb: megabytes of zeros in a few kilobytes', () => {
    const compressed = codec.compress(Buffer.alloc(16 * MiB));
    expect(compressed.length).toBeLessThan(MiB);
    expectDecodeError(() => codec.decompress(compressed, MiB), /allowed/);
  });

  it('rejects garbage', () => {
    expectDecodeError(() => codec.decompress(Buffer.from('definitely not compressed data'), MiB), /corrupt|allowed/);
  });

  it('rejects an empty input', () => {
    expectDecodeError(() => codec.decompress(Buffer.alloc(0), MiB));
  });

  it('rejects truncated input', () => {
    const compressed = codec.compress(sampleBytes(100_000));
    for (const cut of [1, 7, Math.floor(compressed.length / 2), compressed.length - 1]) {
      expectDecodeError(() => codec.decompress(compressed.subarray(0, cut), MiB));
    }
  });

  it('never throws anything but DecodeError for damaged input', () => {
    const input = sampleBytes(50_000);
    const compressed = codec.compress(input);
    for (let i = 0; i < 300; i++) {
      const damaged = Buffer.from(compressed);
      const at = (i * 7919) % damaged.length;
      damaged[at] ^= 1 << (i % 8);
      try {
        codec.decompress(damaged, 2 * input.length);
      } catch (error) {
        expect((error as Error).name).toBe('DecodeError');
      }
    }
  });
});

describe('codec registry', () => {
  it('has no codec for None', () => {
    expect(() => codecFor(CompressionType.None)).toThrow(RangeError);
  });

  it('checks compression ids read from the wire', () => {
    expect(compressionTypeOf(4, 0)).toBe(CompressionType.Zstd);
    for (const id of [5, 6, 7]) expectDecodeError(() => compressionTypeOf(id, 21), /unknown compression type/);
  });
});

describe('snappy framing', () => {
  it('compresses into xerial framing with 32 KiB blocks, like snappy-java', () => {
    const input = sampleBytes(100_000);
    const blocks = xerialBlocks(codecFor(CompressionType.Snappy).compress(input));
    expect(blocks).toHaveLength(4);
    expect(blocks.map((block) => (snappyUncompress(block, { asBuffer: true }) as Buffer).length)).toEqual([32768, 32768, 32768, 1696]);
  });

  it('decompresses a hand-built xerial frame of several blocks', () => {
    const parts = [sampleBytes(1000, 1), sampleBytes(5000, 2), Buffer.alloc(0), sampleBytes(3, 3)];
    const frame = xerialFrame(parts.map((part) => snappyRaw(part)));
    expectBytes(decompressSnappy(frame, 1 << 20), Buffer.concat(parts));
  });

  it('decompresses a xerial header with no blocks to nothing', () => {
    expect(decompressSnappy(XERIAL_HEADER, 10)).toEqual(Buffer.alloc(0));
  });

  it('decompresses raw snappy blocks too', () => {
    const input = sampleBytes(70_000);
    expectBytes(decompressSnappy(snappyRaw(input), input.length), input);
  });

  it('checks the limit from the block preambles before inflating', () => {
    const frame = xerialFrame([snappyRaw(Buffer.alloc(600)), snappyRaw(Buffer.alloc(600))]);
    expect(decompressSnappy(frame, 1200)).toHaveLength(1200);
    expectDecodeError(() => decompressSnappy(frame, 1199), /allowed/);
    expectDecodeError(() => decompressSnappy(snappyRaw(Buffer.alloc(600)), 599), /allowed/);
  });

  it('rejects broken xerial framing', () => {
    const block = snappyRaw(sampleBytes(100));
    const frame = xerialFrame([block]);
    expectDecodeError(() => decompressSnappy(XERIAL_HEADER.subarray(0, 12), 100), /truncated xerial header/);
    expectDecodeError(() => decompressSnappy(frame.subarray(0, 18), 100), /truncated xerial block length/);
    expectDecodeError(() => decompressSnappy(frame.subarray(0, frame.length - 1), 100), /exceeds/);
    const negative = Buffer.from(frame);
    negative.writeInt32BE(-5, 16);
    expectDecodeError(() => decompressSnappy(negative, 100), /xerial block length -5/);
    expectDecodeError(() => decompressSnappy(xerialFrame([Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])]), 100), /preamble/);
  });
});

describe('lz4 framing', () => {
  const input = sampleBytes(200_000);

  /** Rewrites a frame's header checksum the way Kafka did for magic v0 before KAFKA-3160. */
  function withBrokenHeaderChecksum(frame: Buffer, headerChecksumAt = 6): Buffer {
    const copy = Buffer.from(frame);
    copy[headerChecksumAt] = (xxhash32(copy.subarray(0, headerChecksumAt)) >>> 8) & 0xff;
    return copy;
  }

  it('writes a standard frame with independent blocks and the correct header checksum', () => {
    const frame = compressLz4(input);
    expect(frame.readUInt32LE(0)).toBe(0x184d2204);
    expect(frame[4] & 0xc0).toBe(0x40);
    expect(frame[4] & 0x20).toBe(0x20);
    expect(frame[6]).toBe((xxhash32(frame.subarray(4, 6)) >>> 8) & 0xff);
  });

  it('accepts the KAFKA-3160 header checksum old clients wrote', () => {
    const broken = withBrokenHeaderChecksum(compressFrameSync(input));
    expect(() => decompressFrameSync(broken)).toThrow();
    expectBytes(decompressLz4(broken, input.length), input);
  });

  it('writes the KAFKA-3160 header checksum when asked (magic v0)', () => {
    const frame = compressLz4(input, { brokenHeaderChecksum: true });
    expect(frame[6]).toBe((xxhash32(frame.subarray(0, 6)) >>> 8) & 0xff);
    expectBytes(decompressLz4(frame, input.length), input);
  });

  it('rejects any other header checksum', () => {
    const frame = compressFrameSync(input);
    const bad = Buffer.from(frame);
    bad[6] ^= 0x5a;
    expectDecodeError(() => decompressLz4(bad, input.length), /descriptor checksum/);
  });

  it('accepts and verifies block and content checksums', () => {
    const frame = compressFrameSync(input, { blockChecksums: true, contentChecksum: true });
    expectBytes(decompressLz4(frame, input.length), input);
    const bad = Buffer.from(frame);
    bad[bad.length - 1] ^= 1;
    expectDecodeError(() => decompressLz4(bad, input.length), /corrupt lz4/);
  });

  it('rejects bytes after the frame, unknown magic, versions and reserved bits', () => {
    const frame = compressFrameSync(Buffer.from('hello'));
    expectDecodeError(() => decompressLz4(Buffer.concat([frame, Buffer.from([0])]), 100), /after the end of the frame/);
    expectDecodeError(() => decompressLz4(Buffer.concat([frame, frame]), 100), /after the end of the frame/);
    const patched = (at: number, value: number): Buffer => {
      const copy = Buffer.from(frame);
      copy[at] = value;
      copy[6] = (xxhash32(copy.subarray(4, 6)) >>> 8) & 0xff;
      return copy;
    };
    expectDecodeError(() => decompressLz4(patched(0, 0x05), 100), /not an LZ4 frame/);
    expectDecodeError(() => decompressLz4(patched(4, 0x80 | 0x20), 100), /version/);
    expectDecodeError(() => decompressLz4(patched(4, 0x62), 100), /reserved/);
    expectDecodeError(() => decompressLz4(patched(5, 0x41), 100), /reserved/);
    expectDecodeError(() => decompressLz4(patched(5, 0x30), 100), /block maximum size/);
    expectDecodeError(() => decompressLz4(patched(4, 0x61), 100), /dictionary/);
  });

  it('rejects a declared content size over the limit before decoding', () => {
    // FLG: version 01, independent blocks, content size; 2^40 bytes declared; then just an end mark.
    const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x68, 0x40, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    header[14] = (xxhash32(header.subarray(4, 14)) >>> 8) & 0xff;
    const frame = Buffer.concat([header, Buffer.alloc(4)]);
    expectDecodeError(() => decompressLz4(frame, MiB), /allowed/);
  });

  it('rejects a block larger than the frame allows', () => {
    const frame = Buffer.from(compressFrameSync(Buffer.from('hello')));
    frame.writeUInt32LE((0x80000000 | (65 * 1024)) >>> 0, 7);
    expectDecodeError(() => decompressLz4(frame, MiB), /exceeds the 65536 maximum/);
  });
});

describe('zstd frames', () => {
  const input = sampleBytes(300_000);
  const codec = codecFor(CompressionType.Zstd);

  it('decompresses frames without a content size (as Java producers stream them)', () => {
    const compressor = new zstd.Compressor();
    compressor.setParameters({ contentSizeFlag: false });
    const frame = compressor.compress(input);
    expectBytes(codec.decompress(frame, input.length), input);
    expectDecodeError(() => codec.decompress(frame, input.length - 1), /allowed/);
  });

  it('decompresses concatenated frames', () => {
    const frames = Buffer.concat([zstd.compress(input), zstd.compress(Buffer.from('tail'))]);
    expectBytes(codec.decompress(frames, input.length + 4), Buffer.concat([input, Buffer.from('tail')]));
  });

  it('does not trust a content size that lies', () => {
    const frame = zstd.compress(Buffer.alloc(100_000));
    expect(frame[4]).toBe(0xa0); // descriptor: 4-byte content size at byte 5, single segment
    const claiming = (size: number): Buffer => {
      const copy = Buffer.from(frame);
      copy.writeUInt32LE(size, 5);
      return copy;
    };
    expectDecodeError(() => codec.decompress(claiming(10), MiB), /corrupt zstd/);
    expectDecodeError(() => codec.decompress(claiming(50_000_000), MiB), /corrupt zstd|allowed/);
    expectBytes(codec.decompress(frame, MiB), Buffer.alloc(100_000));
  });

  it('recovers after a corrupt frame', () => {
    expectDecodeError(() => codec.decompress(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff]), MiB));
    expectBytes(codec.decompress(zstd.compress(input), input.length), input);
  });
});

describe('gzip streams', () => {
  it('decompresses multi-member streams, as GZIPInputStream does', () => {
    const joined = Buffer.concat([gzipSync(Buffer.from('first ')), gzipSync(Buffer.from('second'))]);
    expect(codecFor(CompressionType.Gzip).decompress(joined, 100).toString()).toBe('first second');
  });
});

describe('xxhash32', () => {
  it('matches the reference value for empty input', () => {
    expect(xxhash32(Buffer.alloc(0))).toBe(0x02cc5d05);
  });

  it.each([1, 3, 4, 15, 16, 17, 31, 32, 33, 1000, 65_537])('matches the content checksum lz4 writes for %i bytes', (length) => {
    const data = sampleBytes(length, length);
    const frame = compressFrameSync(data, { contentChecksum: true });
    expect(xxhash32(data)).toBe(frame.readUInt32LE(frame.length - 4));
  });

  it('honours a seed and views into larger buffers', () => {
    const data = sampleBytes(100);
    expect(xxhash32(data, 1)).not.toBe(xxhash32(data));
    const padded = Buffer.concat([Buffer.from('xx'), data, Buffer.from('yy')]);
    expect(xxhash32(padded.subarray(2, 102))).toBe(xxhash32(data));
  });
});
