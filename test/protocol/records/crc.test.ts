import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, crc32c } from '../../../src/protocol/records/crc.js';
import { sampleBytes } from './fixtures.js';

describe('CRC helpers', () => {
  it('match the standard check values for "123456789"', () => {
    const check = Buffer.from('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32c(check)).toBe(0xe3069283);
  });

  it('return unsigned values', () => {
    expect(crc32(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toBe(0xffffffff);
  });

  it('agree with zlib on CRC-32 over views into larger buffers', () => {
    const data = sampleBytes(10_000);
    expect(crc32(data.subarray(17, 9000))).toBe(zlibCrc32(data.subarray(17, 9000)));
  });

  it('see a single flipped bit', () => {
    const data = sampleBytes(1000);
    const flipped = Buffer.from(data);
    flipped[500] ^= 0x04;
    expect(crc32c(flipped)).not.toBe(crc32c(data));
    expect(crc32(flipped)).not.toBe(crc32(data));
  });
});
