import { crc32c } from '../../protocol/records/crc.js';
import { CorruptSnapshotError } from './errors.js';
import { ProducerStateEntry } from './producer-state-entry.js';

/**
 * Kafka's producer state snapshot (ProducerSnapshot.json, version 1), all big-endian:
 * int16 version, uint32 CRC-32C of everything after it, int32 entry count, then per producer
 * id int64, epoch int16, last sequence int32, last offset int64, offset delta int32,
 * timestamp int64, coordinator epoch int32, current transaction first offset int64 (-1: none).
 * Only each producer's last batch is kept, as in Kafka.
 */
export const SNAPSHOT_VERSION = 1;
const VERSION_OFFSET = 0;
const CRC_OFFSET = 2;
const ENTRIES_OFFSET = 6;
const HEADER_SIZE = 10;
const ENTRY_SIZE = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

export function encodeSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries];
  const buffer = Buffer.alloc(HEADER_SIZE + list.length * ENTRY_SIZE);
  buffer.writeInt16BE(SNAPSHOT_VERSION, VERSION_OFFSET);
  buffer.writeInt32BE(list.length, ENTRIES_OFFSET);
  let at = HEADER_SIZE;
  for (const entry of list) {
    buffer.writeBigInt64BE(BigInt(entry.producerId), at);
    buffer.writeInt16BE(entry.producerEpoch, at + 8);
    buffer.writeInt32BE(entry.lastSeq, at + 10);
    buffer.writeBigInt64BE(BigInt(entry.lastDataOffset), at + 14);
    buffer.writeInt32BE(entry.lastOffsetDelta, at + 22);
    buffer.writeBigInt64BE(BigInt(entry.lastTimestamp), at + 26);
    buffer.writeInt32BE(entry.coordinatorEpoch, at + 34);
    buffer.writeBigInt64BE(BigInt(entry.currentTxnFirstOffset), at + 38);
    at += ENTRY_SIZE;
  }
  buffer.writeUInt32BE(crc32c(buffer.subarray(ENTRIES_OFFSET)), CRC_OFFSET);
  return buffer;
}

/** The producers of a snapshot file; throws CorruptSnapshotError for anything but an intact version 1 file. */
export function decodeSnapshot(bytes: Buffer): ProducerStateEntry[] {
  if (bytes.length < HEADER_SIZE) throw new CorruptSnapshotError(`snapshot of ${bytes.length} bytes is shorter than its header`);
  const version = bytes.readInt16BE(VERSION_OFFSET);
  if (version !== SNAPSHOT_VERSION) throw new CorruptSnapshotError(`Snapshot contained an unknown file version ${version}`);
  const count = bytes.readInt32BE(ENTRIES_OFFSET);
  if (count < 0 || bytes.length !== HEADER_SIZE + count * ENTRY_SIZE) {
    throw new CorruptSnapshotError(`snapshot of ${bytes.length} bytes cannot hold ${count} producer entries`);
  }
  const stored = bytes.readUInt32BE(CRC_OFFSET);
  const computed = crc32c(bytes.subarray(ENTRIES_OFFSET));
  if (stored !== computed) {
    throw new CorruptSnapshotError(`Snapshot is corrupt (CRC is no longer valid). Stored crc: ${stored}. Computed crc: ${computed}`);
  }
  const entries: ProducerStateEntry[] = [];
  for (let i = 0, at = HEADER_SIZE; i < count; i++, at += ENTRY_SIZE) {
    const producerId = int64(bytes, at);
    const epoch = bytes.readInt16BE(at + 8);
    const lastSeq = bytes.readInt32BE(at + 10);
    const lastOffset = int64(bytes, at + 14);
    const offsetDelta = bytes.readInt32BE(at + 22);
    const timestamp = int64(bytes, at + 26);
    const coordinatorEpoch = bytes.readInt32BE(at + 34);
    const txnFirstOffset = int64(bytes, at + 38);
    const batches = lastOffset >= 0 ? [{ lastSeq, lastOffset, offsetDelta, timestamp }] : [];
    entries.push(new ProducerStateEntry(producerId, epoch, coordinatorEpoch, timestamp, txnFirstOffset >= 0 ? txnFirstOffset : -1, batches));
  }
  return entries;
}

function int64(bytes: Buffer, at: number): number {
  const value = Number(bytes.readBigInt64BE(at));
  if (!Number.isSafeInteger(value)) throw new CorruptSnapshotError(`int64 at byte ${at} is beyond the safe integer range`);
  return value;
}
