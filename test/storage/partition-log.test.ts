import { describe, expect, it } from 'vitest';
import { RecordBatchHeader } from '../../src/protocol/records/batch-header.js';
import { readSlice } from '../../src/storage/file-slice.js';
import {
  CorruptRecordError,
  InvalidRecordError,
  InvalidTimestampError,
  KafkaStorageError,
  OffsetOutOfRangeError,
  RecordBatchTooLargeError,
  RecordTooLargeError,
  UnsupportedMessageFormatError,
} from '../../src/storage/errors.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { batch, decodeRecords, sizedBatch, splitBatches } from './support/batches.js';
import { memoryEnv, openLog, PARTITION_DIR, readAll } from './support/memory-log.js';

function readBatches(log: PartitionLog, offset: number, maxBytes: number, options = {}): RecordBatchHeader[] {
  const { records } = log.read(offset, maxBytes, options);
  return records === null ? [] : splitBatches(readSlice(records));
}

describe('PartitionLog append', () => {
  it('assigns offsets to whole batches, patching baseOffset and the leader epoch in place', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    const first = batch([{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'c', value: '3' }]);
    const info = log.appendAsLeader(first, 7, env.clock.now());
    expect(info).toMatchObject({ firstOffset: 0, lastOffset: 2, recordCount: 3, logAppendTime: -1, maxTimestamp: 1_002 });
    const second = batch([{ key: 'd', value: '4' }]);
    expect(log.appendAsLeader(second, 7, env.clock.now()).firstOffset).toBe(3);
    const header = new RecordBatchHeader(second);
    expect(header.baseOffset).toBe(3);
    expect(header.partitionLeaderEpoch).toBe(7);
    expect(header.isCrcValid()).toBe(true);
    expect(log.logEndOffset).toBe(4);
    expect(decodeRecords(readAll(log)).map((r) => `${r.offset}:${r.key}`)).toEqual(['0:a', '1:b', '2:c', '3:d']);
  });

  it('appends several batches of one produce together', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    const records = Buffer.concat([sizedBatch(2, 10), sizedBatch(3, 10)]);
    expect(log.appendAsLeader(records, 0, 0)).toMatchObject({ firstOffset: 0, lastOffset: 4, recordCount: 5 });
    expect(readBatches(log, 0, 10_000).map((b) => [b.baseOffset, b.lastOffset])).toEqual([
      [0, 1],
      [2, 4],
    ]);
  });

  it('stamps LogAppendTime topics with the broker time', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'message.timestamp.type': 'LogAppendTime' });
    const info = log.appendAsLeader(batch([{ key: 'a', value: '1', timestamp: 5 }]), 0, 123_456);
    expect(info.logAppendTime).toBe(123_456);
    const [stored] = readBatches(log, 0, 1000);
    expect(stored.isLogAppendTime).toBe(true);
    expect(stored.maxTimestamp).toBe(123_456);
    expect(stored.isCrcValid()).toBe(true);
  });

  it('rejects invalid produces with Kafka error codes and leaves the log untouched', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'max.message.bytes': 500, 'segment.bytes': 2_000, 'message.timestamp.after.max.ms': 60_000 });
    const corrupt = batch([{ key: 'a', value: 'hello' }]);
    corrupt[corrupt.length - 3] ^= 0xff;
    expect(() => log.appendAsLeader(corrupt, 0, 0)).toThrow(CorruptRecordError);
    expect(() => log.appendAsLeader(batch([{ key: 'a', value: 'x' }]).subarray(0, 40), 0, 0)).toThrow(CorruptRecordError);
    expect(() => log.appendAsLeader(sizedBatch(1, 600), 0, 0)).toThrow(RecordTooLargeError);
    expect(() => log.appendAsLeader(Buffer.concat(Array.from({ length: 8 }, () => sizedBatch(1, 300))), 0, 0)).toThrow(
      RecordBatchTooLargeError,
    );
    expect(() => log.appendAsLeader(batch([{ key: 'a', value: 'x' }], { isControl: true }), 0, 0)).toThrow(InvalidRecordError);
    expect(() => log.appendAsLeader(batch([{ key: 'a', value: 'x' }], { baseOffset: 5 }), 0, 0)).toThrow(InvalidRecordError);
    expect(() => log.appendAsLeader(batch([{ key: 'a', value: 'x', timestamp: 10_000_000 }]), 0, 0)).toThrow(InvalidTimestampError);
    const legacy = batch([{ key: 'a', value: 'x' }]);
    legacy.writeInt8(1, 16);
    expect(() => log.appendAsLeader(legacy, 0, 0)).toThrow(UnsupportedMessageFormatError);
    expect(log.logEndOffset).toBe(0);
    expect(log.appendAsLeader(Buffer.alloc(0), 0, 0).firstOffset).toBe(-1);
  });

  it('accepts control batches from the broker itself', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    expect(log.appendAsLeader(batch([{ key: 'a', value: 'x' }], { isControl: true }), 0, 0, 'coordinator').firstOffset).toBe(0);
  });

  it('appends replicated batches at the offsets the leader gave them', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    log.appendAsFollower(batch([{ key: 'a', value: '1' }, { key: 'b', value: '2' }], { baseOffset: 0, partitionLeaderEpoch: 2 }), 0);
    log.appendAsFollower(batch([{ key: 'c', value: '3' }], { baseOffset: 5, partitionLeaderEpoch: 3 }), 0);
    expect(log.logEndOffset).toBe(6);
    expect(log.epochCache.entries).toEqual([
      { epoch: 2, startOffset: 0 },
      { epoch: 3, startOffset: 5 },
    ]);
    expect(() => log.appendAsFollower(batch([{ key: 'd', value: '4' }], { baseOffset: 4 }), 0)).toThrow(InvalidRecordError);
  });

  it('tracks leader epochs and answers OffsetForLeaderEpoch', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    log.appendAsLeader(sizedBatch(3, 1), 1, 0);
    log.appendAsLeader(sizedBatch(2, 1), 1, 0);
    log.appendAsLeader(sizedBatch(4, 1), 4, 0);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 5 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 1, endOffset: 5 });
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 4, endOffset: 9 });
  });
});

describe('PartitionLog rolling', () => {
  it('rolls on segment.bytes and names segments by base offset', async () => {
    const env = await memoryEnv();
    const size = sizedBatch(2, 30).length;
    const log = await openLog(env, { 'segment.bytes': 2 * size + 1 });
    for (let i = 0; i < 6; i++) log.appendAsLeader(sizedBatch(2, 30), 0, 0);
    expect(log.segmentBaseOffsets).toEqual([0, 4, 8]);
    expect(env.fs.readdir(PARTITION_DIR).filter((n) => n.endsWith('.log'))).toEqual([
      '00000000000000000000.log',
      '00000000000000000004.log',
      '00000000000000000008.log',
    ]);
  });

  it('rolls on segment.ms measured from the first batch timestamp', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'segment.ms': 1_000 });
    log.appendAsLeader(sizedBatch(1, 1, 10_000), 0, 10_000);
    log.appendAsLeader(sizedBatch(1, 1, 10_900), 0, 10_900);
    expect(log.segmentBaseOffsets).toEqual([0]);
    log.appendAsLeader(sizedBatch(1, 1, 11_001), 0, 11_001);
    expect(log.segmentBaseOffsets).toEqual([0, 2]);
  });

  it('rolls when an index is full', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'segment.index.bytes': 24, 'index.interval.bytes': 1 });
    for (let i = 0; i < 8; i++) log.appendAsLeader(sizedBatch(1, 10), 0, 0);
    expect(log.segmentBaseOffsets.length).toBeGreaterThan(1);
    expect(decodeRecords(readAll(log)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('rolls before a relative offset would overflow int32', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    log.appendAsFollower(batch([{ key: 'a', value: '1' }], { baseOffset: 0 }), 0);
    const far = 0x7fffffff + 10;
    log.appendAsFollower(batch([{ key: 'b', value: '2' }], { baseOffset: far }), 0);
    expect(log.segmentBaseOffsets).toEqual([0, far]);
    expect(log.read(far, 1000).records).not.toBeNull();
  });

  it('rolls on demand, and an empty active segment is not rolled again', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    log.appendAsLeader(sizedBatch(1, 1), 0, 0);
    log.roll(0);
    log.roll(0);
    expect(log.segmentBaseOffsets).toEqual([0, 1]);
  });

  it('writes an offset index entry every index.interval.bytes', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'index.interval.bytes': 200 });
    for (let i = 0; i < 10; i++) log.appendAsLeader(sizedBatch(1, 100), 0, 0);
    await log.flush(0);
    const index = env.fs.readFile(`${PARTITION_DIR}/00000000000000000000.index`);
    const entries = Array.from({ length: index.length / 8 }, (_, i) => [index.readUInt32BE(i * 8), index.readUInt32BE(i * 8 + 4)]);
    const batchSize = sizedBatch(1, 100).length;
    expect(entries).toEqual([
      [2, 2 * batchSize],
      [4, 4 * batchSize],
      [6, 6 * batchSize],
      [8, 8 * batchSize],
    ]);
  });
});

describe('PartitionLog reads', () => {
  async function logWithSegments(): Promise<PartitionLog> {
    const env = await memoryEnv();
    const log = await openLog(env, { 'segment.bytes': 400, 'index.interval.bytes': 100 });
    for (let i = 0; i < 12; i++) log.appendAsLeader(sizedBatch(3, 20), 0, 0);
    return log;
  }

  it('returns the batch holding any offset, across segment boundaries', async () => {
    const log = await logWithSegments();
    expect(log.segmentBaseOffsets.length).toBeGreaterThan(3);
    for (let offset = 0; offset < log.logEndOffset; offset++) {
      const [first] = readBatches(log, offset, 1);
      expect(first.baseOffset).toBe(offset - (offset % 3));
    }
  });

  it('returns whole batches within maxBytes, from one segment, and at least one batch', async () => {
    const log = await logWithSegments();
    const size = sizedBatch(3, 20).length;
    expect(readBatches(log, 0, size * 2 + size / 2).length).toBe(2);
    expect(readBatches(log, 0, 1).length).toBe(1);
    expect(readBatches(log, 0, 1, { minOneBatch: false })).toEqual([]);
    const wholeSegment = readBatches(log, 0, 1 << 20);
    expect(wholeSegment[wholeSegment.length - 1].lastOffset + 1).toBe(log.segmentBaseOffsets[1]);
  });

  it('stops before maxOffset (high watermark) and at the log end', async () => {
    const log = await logWithSegments();
    expect(readBatches(log, 0, 1 << 20, { maxOffset: 6 }).map((b) => b.baseOffset)).toEqual([0, 3]);
    expect(readBatches(log, 6, 1 << 20, { maxOffset: 6 })).toEqual([]);
    expect(log.read(log.logEndOffset, 100).records).toBeNull();
  });

  it('rejects offsets outside the log with OFFSET_OUT_OF_RANGE', async () => {
    const log = await logWithSegments();
    expect(() => log.read(log.logEndOffset + 1, 100)).toThrow(OffsetOutOfRangeError);
    log.updateHighWatermark(log.logEndOffset);
    log.advanceLogStartOffset(5);
    expect(() => log.read(4, 100)).toThrow(OffsetOutOfRangeError);
    expect(readBatches(log, 5, 1)[0].baseOffset).toBe(3);
  });

  it('returns the exact bytes that were appended', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    const appended = [sizedBatch(2, 50), sizedBatch(1, 7), batch([{ key: null, value: null }])];
    for (const b of appended) log.appendAsLeader(b, 1, 0);
    expect(readAll(log)).toEqual(Buffer.concat(appended));
  });
});

describe('PartitionLog timestamps', () => {
  it('finds the first batch reaching a timestamp through the time index, across segments', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'segment.bytes': 300, 'index.interval.bytes': 50 });
    for (let i = 0; i < 20; i++) log.appendAsLeader(sizedBatch(1, 30, 1_000 + i * 10), 0, 0);
    expect(log.segmentBaseOffsets.length).toBeGreaterThan(2);
    expect(log.offsetForTimestamp(0)).toEqual({ timestamp: 1_000, offset: 0 });
    expect(log.offsetForTimestamp(1_055)).toEqual({ timestamp: 1_060, offset: 6 });
    expect(log.offsetForTimestamp(1_190)).toEqual({ timestamp: 1_190, offset: 19 });
    expect(log.offsetForTimestamp(1_191)).toBeNull();
    expect(log.maxTimestampOffset()).toEqual({ timestamp: 1_190, offset: 19 });
  });

  it('answers with the exact record inside a batch, as Kafka does', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    log.appendAsLeader(batch([{ key: 'a', value: '0', timestamp: 100 }, { key: 'b', value: '1', timestamp: 300 }, { key: 'c', value: '2', timestamp: 200 }]), 0, 0);
    expect(log.offsetForTimestamp(150)).toEqual({ timestamp: 300, offset: 1 });
    expect(log.offsetForTimestamp(100)).toEqual({ timestamp: 100, offset: 0 });
    expect(log.maxTimestampOffset()).toEqual({ timestamp: 300, offset: 1 });
    log.updateHighWatermark(3);
    log.advanceLogStartOffset(2);
    expect(log.offsetForTimestamp(0)).toEqual({ timestamp: 200, offset: 2 });
  });

  it('reports the max timestamp even when it is not in the last batch', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'segment.bytes': 200 });
    for (const ts of [5, 50, 7, 8, 9]) log.appendAsLeader(sizedBatch(1, 60, ts), 0, 0);
    expect(log.maxTimestampOffset()).toEqual({ timestamp: 50, offset: 1 });
    expect(log.offsetForTimestamp(10)).toEqual({ timestamp: 50, offset: 1 });
  });
});

describe('PartitionLog truncation and log start', () => {
  it('truncates inside a segment and across segments', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'segment.bytes': 300 });
    for (let i = 0; i < 10; i++) log.appendAsLeader(sizedBatch(2, 40), i < 5 ? 1 : 2, 0);
    const before = log.segmentBaseOffsets;
    expect(log.truncateTo(6, 0)).toBe(true);
    expect(log.logEndOffset).toBe(6);
    expect(log.segmentBaseOffsets).toEqual(before.filter((b) => b <= 6));
    expect(decodeRecords(readAll(log)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(log.epochCache.latestEpoch).toBe(1);
    expect(log.appendAsLeader(sizedBatch(1, 1), 3, 0).firstOffset).toBe(6);
    expect(log.truncateTo(100, 0)).toBe(false);
  });

  it('moves the recovery point and high watermark back with a truncation', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    for (let i = 0; i < 4; i++) log.appendAsLeader(sizedBatch(2, 40), 0, 0);
    await log.flush(0);
    log.updateHighWatermark(8);
    log.truncateTo(4, 0);
    expect(log.recoveryPoint).toBe(4);
    expect(log.highWatermark).toBe(4);
  });

  it('restarts empty at an offset below the log start', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    log.appendAsLeader(sizedBatch(2, 4), 0, 0);
    log.truncateFullyAndStartAt(100, 0);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([100, 100]);
    expect(log.appendAsLeader(sizedBatch(1, 4), 0, 0).firstOffset).toBe(100);
  });

  it('advances the log start offset up to the high watermark only', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    log.appendAsLeader(sizedBatch(5, 4), 0, 0);
    expect(() => log.advanceLogStartOffset(3)).toThrow(OffsetOutOfRangeError);
    log.updateHighWatermark(5);
    expect(log.advanceLogStartOffset(3)).toBe(true);
    expect(log.advanceLogStartOffset(2)).toBe(false);
    expect(log.logStartOffset).toBe(3);
  });
});

describe('PartitionLog retention', () => {
  it('deletes segments below the log start through .deleted files after file.delete.delay.ms', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'segment.bytes': 200, 'file.delete.delay.ms': 1_000 });
    for (let i = 0; i < 6; i++) log.appendAsLeader(sizedBatch(2, 40), 0, 0);
    log.updateHighWatermark(log.logEndOffset);
    const [, second, third] = log.segmentBaseOffsets;
    log.advanceLogStartOffset(third);
    expect(log.deleteOldSegments(5_000)).toEqual({ count: 2, reason: 'log-start-offset' });
    expect(log.segmentBaseOffsets[0]).toBe(third);
    const names = env.fs.readdir(PARTITION_DIR);
    expect(names).toContain('00000000000000000000.log.deleted');
    expect(names).toContain(`${String(second).padStart(20, '0')}.index.deleted`);
    log.deleteExpiredFiles(5_999);
    expect(env.fs.readdir(PARTITION_DIR)).toContain('00000000000000000000.log.deleted');
    log.deleteExpiredFiles(6_000);
    expect(env.fs.readdir(PARTITION_DIR).some((n) => n.endsWith('.deleted'))).toBe(false);
  });

  it('deletes by retention.ms, rolling first when every segment expired', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'segment.bytes': 200, 'retention.ms': 1_000 });
    for (let i = 0; i < 4; i++) log.appendAsLeader(sizedBatch(2, 40, 10_000), 0, 10_000);
    log.updateHighWatermark(log.logEndOffset);
    expect(log.deleteOldSegments(10_500).count).toBe(0);
    const decision = log.deleteOldSegments(11_001);
    expect(decision.reason).toBe('retention.ms');
    expect(log.segmentBaseOffsets).toEqual([8]);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([8, 8]);
    expect(log.appendAsLeader(sizedBatch(1, 1), 0, 0).firstOffset).toBe(8);
  });

  it('deletes by retention.bytes, oldest first', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'segment.bytes': 200, 'retention.bytes': 300 });
    for (let i = 0; i < 8; i++) log.appendAsLeader(sizedBatch(2, 40), 0, 0);
    log.updateHighWatermark(log.logEndOffset);
    const before = log.segmentBaseOffsets.length;
    expect(log.deleteOldSegments(0).reason).toBe('retention.bytes');
    // As Kafka: the oldest segments go while what remains still reaches retention.bytes.
    const segmentSize = 2 * sizedBatch(2, 40).length;
    expect(log.size).toBeGreaterThanOrEqual(300);
    expect(log.size - segmentSize).toBeLessThan(300);
    expect(log.segmentBaseOffsets.length).toBeLessThan(before);
    expect(log.logStartOffset).toBe(log.segmentBaseOffsets[0]);
  });
});

describe('PartitionLog flushing', () => {
  it('leaves flushing to the OS by default, except after a roll', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'segment.bytes': 200 });
    log.appendAsLeader(sizedBatch(2, 40), 0, 0);
    expect(log.isFlushDue(1e12)).toBe(false);
    for (let i = 0; i < 3; i++) log.appendAsLeader(sizedBatch(2, 40), 0, 0);
    expect(log.isFlushDue(0)).toBe(true);
    await log.flush(0);
    expect(log.recoveryPoint).toBe(log.logEndOffset);
    expect(log.isFlushDue(0)).toBe(false);
  });

  it('asks for a flush after flush.messages records or flush.ms', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { 'flush.messages': 3, 'flush.ms': 1_000 });
    log.appendAsLeader(sizedBatch(2, 4), 0, 0);
    expect(log.isFlushDue(0)).toBe(false);
    expect(log.isFlushDue(1_000_000 + 1_000)).toBe(true);
    log.appendAsLeader(sizedBatch(1, 4), 0, 0);
    expect(log.isFlushDue(0)).toBe(true);
    await log.flush(0);
    expect(log.isFlushDue(0)).toBe(false);
  });

  it('does not move the recovery point over data truncated while the flush ran', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    log.appendAsLeader(sizedBatch(4, 4), 0, 0);
    await log.flush(0);
    log.appendAsLeader(sizedBatch(4, 4), 0, 0);
    const flushing = log.flush(0);
    log.truncateTo(6, 0);
    log.appendAsLeader(sizedBatch(4, 4), 0, 0);
    await flushing;
    expect(log.recoveryPoint).toBe(4);
  });
});

describe('PartitionLog disk failures', () => {
  it('fails a produce hitting a full disk with KAFKA_STORAGE_ERROR and takes the directory offline', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    log.appendAsLeader(sizedBatch(2, 40), 0, 0);
    await log.flush(0);
    env.fs.capacity = env.fs.used + 50;
    const error = (() => {
      try {
        log.appendAsLeader(sizedBatch(2, 40), 0, 0);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(KafkaStorageError);
    expect(error).toMatchObject({ errorCode: 56, errorName: 'KAFKA_STORAGE_ERROR' });
    expect(log.health.isOffline).toBe(true);
    expect(log.logEndOffset).toBe(2);
    expect(() => log.read(0, 100)).toThrow(KafkaStorageError);
    expect(() => log.appendAsLeader(sizedBatch(1, 1), 0, 0)).toThrow(KafkaStorageError);
    log.abandon();
    env.fs.capacity = null;
    const reopened = await openLog(env);
    expect(reopened.logEndOffset).toBe(2);
    expect(decodeRecords(readAll(reopened)).length).toBe(2);
  });

  it('takes the directory offline when fsync fails', async () => {
    const env = await memoryEnv();
    const log = await openLog(env);
    log.appendAsLeader(sizedBatch(2, 40), 0, 0);
    env.fs.failNext('sync', 'EIO');
    await expect(log.flush(0)).rejects.toThrow(KafkaStorageError);
    expect(log.recoveryPoint).toBe(0);
    expect(log.health.isOffline).toBe(true);
  });
});
