import { describe, expect, it } from 'vitest';
import { DefaultPartitioner, murmur2, partitionForKey, toPositive } from '../../src/client/partitioner.js';
import { SeededRandom } from '../../src/util/random.js';

/**
 * Kafka's Utils.murmur2 transcribed with BigInt and an explicit wrap to Java's 32-bit int after
 * every operation, as an independent reference for the Math.imul implementation.
 */
function referenceMurmur2(data: Uint8Array): number {
  const int = (v: bigint): bigint => BigInt.asIntN(32, v);
  const ushr = (v: bigint, n: bigint): bigint => int(BigInt.asUintN(32, v) >> n);
  const m = 0x5bd1e995n;
  let h = int(int(0x9747b28cn) ^ BigInt(data.length));
  const length4 = Math.floor(data.length / 4);
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = int(BigInt(data[i4]) + (BigInt(data[i4 + 1]) << 8n) + (BigInt(data[i4 + 2]) << 16n) + (BigInt(data[i4 + 3]) << 24n));
    k = int(k * m);
    k = int(k ^ ushr(k, 24n));
    k = int(k * m);
    h = int(h * m);
    h = int(h ^ k);
  }
  const tail = data.length & ~3;
  const rest = data.length % 4;
  if (rest >= 3) h = int(h ^ (BigInt(data[tail + 2]) << 16n));
  if (rest >= 2) h = int(h ^ (BigInt(data[tail + 1]) << 8n));
  if (rest >= 1) {
    h = int(h ^ BigInt(data[tail]));
    h = int(h * m);
  }
  h = int(h ^ ushr(h, 13n));
  h = int(h * m);
  h = int(h ^ ushr(h, 15n));
  return Number(h);
}

describe('murmur2', () => {
  it("gives the values of Kafka's UtilsTest.testMurmur2", () => {
    const cases: [string | number[], number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      [[0x61, 0x62, 0x63], 479470107],
    ];
    for (const [input, expected] of cases) {
      const bytes = typeof input === 'string' ? Buffer.from(input) : Buffer.from(input);
      expect(murmur2(bytes)).toBe(expected);
      expect(referenceMurmur2(bytes)).toBe(expected);
    }
  });

  it('agrees with the BigInt transcription for every length and high bytes', () => {
    const random = new SeededRandom(7);
    for (let length = 0; length < 64; length++) {
      const bytes = Buffer.from(Array.from({ length }, () => random.int(256)));
      expect(murmur2(bytes)).toBe(referenceMurmur2(bytes));
    }
    expect(murmur2(Buffer.alloc(0))).toBe(referenceMurmur2(Buffer.alloc(0)));
  });

  it('toPositive clears the sign bit, as Kafka does (not Math.abs)', () => {
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(5)).toBe(5);
    expect(partitionForKey(Buffer.from('foobar'), 7)).toBe(toPositive(-790332482) % 7);
  });
});

describe('DefaultPartitioner', () => {
  it('puts keyed records by murmur2, and sticks to one partition for null keys until batch.size bytes', () => {
    const partitioner = new DefaultPartitioner(100, new SeededRandom(1));
    expect(partitioner.partition('t', Buffer.from('21'), 10, 3, [0, 1, 2])).toBe(toPositive(-973932308) % 3);
    const first = partitioner.partition('t', null, 60, 3, [0, 1, 2]);
    expect(partitioner.partition('t', null, 60, 3, [0, 1, 2])).toBe(first);
    // 120 bytes went to `first`: the next record moves to another partition.
    const next = partitioner.partition('t', null, 60, 3, [0, 1, 2]);
    expect(next).not.toBe(first);
    // Only partitions with a leader are chosen.
    const only = new DefaultPartitioner(1, new SeededRandom(2));
    for (let i = 0; i < 10; i++) expect(only.partition('u', null, 5, 4, [2])).toBe(2);
  });
});

describe("kafkajs's Java-compatible murmur2", () => {
  it('gives the same partitions', async () => {
    const { createRequire } = await import('node:module');
    const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;
    for (let i = 0; i < 200; i++) {
      const key = Buffer.from(`key-${i}-${'x'.repeat(i % 7)}`);
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }
  });
});
