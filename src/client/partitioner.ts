import type { Random } from '../util/random.js';

/**
 * Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2): the 32-bit MurmurHash2 with
 * seed 0x9747b28c, as a signed 32-bit integer like Java's int.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  const r = 24;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  // Java's switch falls through from the longest tail to the shortest.
  const tail = length & ~3;
  const rest = length % 4;
  if (rest >= 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's Utils.toPositive: clears the sign bit (not Math.abs, which fails for MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner gives a keyed record: toPositive(murmur2(key)) % partitions. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return toPositive(murmur2(key)) % partitionCount;
}

/**
 * Kafka's built-in partitioner (KIP-794, Kafka 3.3+): keyed records go by murmur2 of the key;
 * records without a key stick to one partition of the topic until `batchSize` bytes went to it,
 * then move to another partition chosen at random among those with a leader (all partitions when
 * none has one).
 */
export class DefaultPartitioner {
  private readonly sticky = new Map<string, { partition: number; bytes: number }>();

  constructor(
    private readonly batchSize: number,
    private readonly random: Random,
  ) {}

  /**
   * The partition of a record of `sizeInBytes` to `topic`, whose partitions are
   * 0..partitionCount-1 and of which `available` have a leader.
   */
  partition(topic: string, key: Uint8Array | null, sizeInBytes: number, partitionCount: number, available: readonly number[]): number {
    if (key !== null) return partitionForKey(key, partitionCount);
    let current = this.sticky.get(topic);
    if (current === undefined || current.partition >= partitionCount || current.bytes >= this.batchSize) {
      current = { partition: this.nextPartition(current?.partition ?? -1, partitionCount, available), bytes: 0 };
      this.sticky.set(topic, current);
    }
    current.bytes += sizeInBytes;
    return current.partition;
  }

  private nextPartition(previous: number, partitionCount: number, available: readonly number[]): number {
    const candidates = available.length > 0 ? available : Array.from({ length: partitionCount }, (_, i) => i);
    if (candidates.length === 1) return candidates[0];
    const others = candidates.filter((p) => p !== previous);
    return this.random.pick(others.length > 0 ? others : candidates);
  }
}
