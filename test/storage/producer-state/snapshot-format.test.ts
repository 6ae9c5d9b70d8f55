import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../src/protocol/records/crc.js';
import { CorruptSnapshotError } from '../../../src/storage/producer-state/errors.js';
import { ProducerStateEntry } from '../../../src/storage/producer-state/producer-state-entry.js';
import { decodeSnapshot, encodeSnapshot } from '../../../src/storage/producer-state/snapshot-format.js';

function entry(): ProducerStateEntry {
  return new ProducerStateEntry(4242, 3, 7, 1_700_000_000_000, 120, [
    { lastSeq: 9, lastOffset: 100, offsetDelta: 4, timestamp: 1_699_999_999_000 },
    { lastSeq: 14, lastOffset: 110, offsetDelta: 4, timestamp: 1_700_000_000_000 },
  ]);
}

describe('producer snapshot format (Kafka ProducerSnapshot v1)', () => {
  it("lays out Kafka's fields: version, CRC-32C of the rest, count, 46 bytes per producer", () => {
    const bytes = encodeSnapshot([entry()]);
    expect(bytes.length).toBe(2 + 4 + 4 + 46);
    expect(bytes.readInt16BE(0)).toBe(1);
    expect(bytes.readUInt32BE(2)).toBe(crc32c(bytes.subarray(6)));
    expect(bytes.readInt32BE(6)).toBe(1);
    const at = 10;
    expect(bytes.readBigInt64BE(at)).toBe(4242n);
    expect(bytes.readInt16BE(at + 8)).toBe(3);
    expect(bytes.readInt32BE(at + 10)).toBe(14);
    expect(bytes.readBigInt64BE(at + 14)).toBe(110n);
    expect(bytes.readInt32BE(at + 22)).toBe(4);
    expect(bytes.readBigInt64BE(at + 26)).toBe(1_700_000_000_000n);
    expect(bytes.readInt32BE(at + 34)).toBe(7);
    expect(bytes.readBigInt64BE(at + 38)).toBe(120n);
  });

  it('round-trips the last batch of each producer', () => {
    const empty = new ProducerStateEntry(5, 0, -1, 33, -1);
    const [decoded, decodedEmpty] = decodeSnapshot(encodeSnapshot([entry(), empty]));
    expect([decoded.producerId, decoded.producerEpoch, decoded.coordinatorEpoch, decoded.lastTimestamp, decoded.currentTxnFirstOffset]).toEqual([
      4242, 3, 7, 1_700_000_000_000, 120,
    ]);
    expect(decoded.batches).toEqual([{ lastSeq: 14, lastOffset: 110, offsetDelta: 4, timestamp: 1_700_000_000_000 }]);
    expect(decoded.firstSeq).toBe(10);
    expect(decodedEmpty.batches).toEqual([]);
    expect(decodedEmpty.lastSeq).toBe(-1);
    expect(decodeSnapshot(encodeSnapshot([]))).toEqual([]);
  });

  it('refuses anything but an intact version 1 file', () => {
    const good = encodeSnapshot([entry()]);
    const flipped = Buffer.from(good);
    flipped[20] ^= 1;
    const version = Buffer.from(good);
    version.writeInt16BE(2, 0);
    for (const bad of [Buffer.alloc(0), good.subarray(0, 30), Buffer.concat([good, Buffer.alloc(1)]), flipped, version]) {
      expect(() => decodeSnapshot(bad)).toThrow(CorruptSnapshotError);
    }
  });
});
