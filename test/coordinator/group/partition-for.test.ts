import { describe, expect, it } from 'vitest';
import { coordinatorPartitionFor } from '../../../src/util/coordinator-partition.js';

/**
 * Kafka places a group on partition Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions,
 * where Utils.abs(Integer.MIN_VALUE) is 0 and String.hashCode is s[0]*31^(n-1) + ... + s[n-1]
 * over UTF-16 code units, in 32-bit two's complement. The hashes below are Java's own values.
 */
const CASES: ReadonlyArray<readonly [groupId: string, javaHashCode: number, partition: number]> = [
  ['', 0, 0],
  ['a', 97, 47],
  // The classic: "hello".hashCode() == 99162322.
  ['hello', 99_162_322, 22],
  // 'A'*31 + 'a' = 65*31 + 97 = 2112 = 'B'*31 + 'B' = 66*31 + 66: Java's textbook collision.
  ['Aa', 2112, 12],
  ['BB', 2112, 12],
  // Hashes to Integer.MIN_VALUE, whose Math.abs is still negative: Utils.abs makes it 0.
  ['polygenelubricants', -2_147_483_648, 0],
  // Negative hashes: the absolute value, not a negative remainder and not the unsigned value.
  ['my-group', -1_906_497_762, 12],
  ['orders-consumer', -1_204_742_690, 40],
  ['console-consumer-12345', 158_455_506, 6],
  ['test-group-1', 2_060_176_936, 36],
  // Non-ASCII: 'ü' is one UTF-16 unit (0xFC), hashed as such, not as its two UTF-8 bytes.
  ['zürich', -565_983_330, 30],
  // U+1F600 is the surrogate pair D83D DE00: 0xD83D*31 + 0xDE00 = 55357*31 + 56832 = 1772899.
  ['😀', 1_772_899, 49],
  ['grüppe-😀-x', 1_337_195_879, 29],
];

describe('coordinatorPartitionFor (group ids)', () => {
  it.each(CASES)('places %j (hashCode %i) on partition %i of 50', (groupId, _hash, partition) => {
    expect(coordinatorPartitionFor(groupId, 50)).toBe(partition);
  });

  it.each(CASES)('agrees with abs(hashCode) %% n for other partition counts: %j', (groupId, hash) => {
    const abs = hash === -2_147_483_648 ? 0 : Math.abs(hash);
    for (const n of [1, 3, 7, 64, 100]) expect(coordinatorPartitionFor(groupId, n)).toBe(abs % n);
  });

  it('stays within the partition count for long ids', () => {
    const id = 'x'.repeat(10_000) + '😀'.repeat(100);
    const p = coordinatorPartitionFor(id, 50);
    expect(Number.isInteger(p) && p >= 0 && p < 50).toBe(true);
  });
});
