import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { CompressionType, RecordBatchHeader } from '../../src/protocol/records/batch-header.js';
import { decodeBatchRecords, recordTimestamp } from '../../src/protocol/records/batch-records.js';
import { buildMessageSet } from '../../src/protocol/records/legacy/message-set-builder.js';
import { TimestampType } from '../../src/protocol/records/timestamp-type.js';
import { batchViews } from '../../src/replication/batch-views.js';
import { readSlice } from '../../src/storage/file-slice.js';
import { batchOf, DataPlane, NODE_ID } from './support.js';

const NOW = 1_700_000_000_000;

/** Every record stored in a partition: offset, key, value, timestamp, and its batch's codec. */
function stored(plane: DataPlane, topic: string, partition = 0) {
  const log = plane.replicas.hostedPartition({ topic, partition })!.log;
  const { records } = log.read(0, 1 << 20);
  if (records === null) return [];
  return batchViews(readSlice(records))!.flatMap((batch) =>
    decodeBatchRecords(batch).map((r) => ({
      offset: batch.baseOffset + r.offsetDelta,
      key: r.key?.toString() ?? null,
      value: r.value?.toString() ?? null,
      timestamp: recordTimestamp(batch, r),
      compression: batch.compression,
      logAppendTime: batch.isLogAppendTime,
    })),
  );
}

describe('ReplicaManager produce', () => {
  it('appends batches with consecutive offsets and reports the base offset and log start', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders');
    expect(await plane.produce('orders', 0, batchOf(['a', 'b']))).toEqual({
      errorCode: ErrorCode.NONE,
      baseOffset: 0,
      logAppendTime: -1,
      logStartOffset: 0,
      recordErrors: [],
      errorMessage: null,
    });
    expect((await plane.produce('orders', 0, batchOf(['c']))).baseOffset).toBe(2);
    expect(stored(plane, 'orders').map((r) => [r.offset, r.value])).toEqual([[0, 'a'], [1, 'b'], [2, 'c']]);
    // A single replica's high watermark is its log end.
    expect(plane.replicas.hostedPartition({ topic: 'orders', partition: 0 })!.log.highWatermark).toBe(3);
  });

  it('keeps the arrival order of appends to one partition across requests', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders');
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((v) => plane.produce('orders', 0, batchOf([v]), -1)));
    expect(results.map((r) => r.baseOffset)).toEqual([0, 1, 2, 3]);
    expect(stored(plane, 'orders').map((r) => r.value)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses acks other than -1, 0 and 1 for every partition', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders');
    const results = await plane.replicas.appendRecords({
      acks: 2,
      timeoutMs: 1000,
      internalTopicsAllowed: false,
      entries: [{ topic: 'orders', partition: 0, records: batchOf(['a']) }],
    });
    expect(results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1, logStartOffset: -1 });
    expect(stored(plane, 'orders')).toEqual([]);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER and INVALID_TOPIC_EXCEPTION without a log start offset', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2] });
    await plane.createTopic('elsewhere', { replicas: [2] });
    await plane.createTopic('__consumer_offsets');
    await plane.createTopic('followed', { replicas: [1, 2], leader: 2 });
    expect(await plane.produce('missing', 0, batchOf(['a']))).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, logStartOffset: -1 });
    expect(await plane.produce('elsewhere', 0, batchOf(['a']))).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, logStartOffset: -1 });
    expect(await plane.produce('followed', 0, batchOf(['a']))).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, logStartOffset: -1 });
    expect(await plane.produce('__consumer_offsets', 0, batchOf(['a']))).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
    const [admin] = await plane.replicas.appendRecords({
      acks: 1,
      timeoutMs: 1000,
      internalTopicsAllowed: true,
      entries: [{ topic: '__consumer_offsets', partition: 0, records: batchOf(['a']) }],
    });
    expect(admin.errorCode).toBe(ErrorCode.NONE);
  });

  it('refuses acks=all below min.insync.replicas with NOT_ENOUGH_REPLICAS, and accepts acks=1', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders', { configs: { 'min.insync.replicas': '2' } });
    expect(await plane.produce('orders', 0, batchOf(['a']), -1)).toMatchObject({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, logStartOffset: 0 });
    expect(await plane.produce('orders', 0, batchOf(['a']), 1)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
  });

  it('holds acks=all until the high watermark covers the append, and times out with REQUEST_TIMED_OUT', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2] });
    await plane.createTopic('orders', { replicas: [1, 2] });
    let settled = false;
    const pending = plane.replicas
      .appendRecords({ acks: -1, timeoutMs: 5000, internalTopicsAllowed: false, entries: [{ topic: 'orders', partition: 0, records: batchOf(['a']) }] })
      .then((r) => {
        settled = true;
        return r;
      });
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(plane.replicas.delayedCount).toBe(1);
    plane.scheduler.advance(5000);
    expect((await pending)[0]).toMatchObject({ errorCode: ErrorCode.REQUEST_TIMED_OUT, baseOffset: 0 });
    expect(plane.replicas.delayedCount).toBe(0);
  });

  it('completes a waiting acks=all when the ISR shrinks to this broker', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2] });
    await plane.createTopic('orders', { replicas: [1, 2] });
    const pending = plane.replicas.appendRecords({
      acks: -1,
      timeoutMs: 5000,
      internalTopicsAllowed: false,
      entries: [{ topic: 'orders', partition: 0, records: batchOf(['a']) }],
    });
    await plane.changeLeader('orders', 0, NODE_ID, [NODE_ID]);
    expect((await pending)[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
  });

  it('stamps LogAppendTime topics with the broker clock and reports it', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('events', { configs: { 'message.timestamp.type': 'LogAppendTime' } });
    const result = await plane.produce('events', 0, batchOf(['a'], { timestamp: 5 }));
    expect(result.logAppendTime).toBe(plane.clock.now());
    expect(stored(plane, 'events')[0]).toMatchObject({ timestamp: plane.clock.now(), logAppendTime: true });
  });

  it('up-converts v0 and v1 message sets, compressed or not, to v2 batches', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('legacy');
    const v0 = buildMessageSet({ magic: 0, records: [{ offset: 0, timestamp: -1, key: Buffer.from('k0'), value: Buffer.from('zero') }] });
    const v1 = buildMessageSet({
      magic: 1,
      compression: CompressionType.Gzip,
      timestampType: TimestampType.CreateTime,
      records: [
        { offset: 0, timestamp: NOW, key: null, value: Buffer.from('one') },
        { offset: 1, timestamp: NOW + 1, key: Buffer.from('k2'), value: Buffer.from('two') },
      ],
    });
    expect((await plane.produce('legacy', 0, v0)).baseOffset).toBe(0);
    expect((await plane.produce('legacy', 0, v1)).baseOffset).toBe(1);
    expect(stored(plane, 'legacy')).toEqual([
      { offset: 0, key: 'k0', value: 'zero', timestamp: -1, compression: CompressionType.None, logAppendTime: false },
      { offset: 1, key: null, value: 'one', timestamp: NOW, compression: CompressionType.Gzip, logAppendTime: false },
      { offset: 2, key: 'k2', value: 'two', timestamp: NOW + 1, compression: CompressionType.Gzip, logAppendTime: false },
    ]);
  });

  it('refuses a legacy message set cut short with CORRUPT_MESSAGE', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('legacy');
    const set = buildMessageSet({ magic: 1, records: [{ offset: 0, timestamp: NOW, key: null, value: Buffer.from('value') }] });
    expect(await plane.produce('legacy', 0, set.subarray(0, set.length - 3))).toMatchObject({ errorCode: ErrorCode.CORRUPT_MESSAGE, logStartOffset: -1 });
  });

  it('recompresses to the topic codec, stores plain for uncompressed, and keeps the producer codec for producer', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('lz4', { configs: { 'compression.type': 'lz4' } });
    await plane.createTopic('plain', { configs: { 'compression.type': 'uncompressed' } });
    await plane.createTopic('kept');
    const batch = () =>
      batchOf([{ key: 'k', value: 'v1', headers: [{ key: 'h', value: Buffer.from('x') }] }, 'v2'], { compression: CompressionType.Gzip, producerId: 7, baseSequence: 0 });
    for (const topic of ['lz4', 'plain', 'kept']) expect((await plane.produce(topic, 0, batch())).errorCode).toBe(ErrorCode.NONE);
    expect(stored(plane, 'lz4').map((r) => [r.compression, r.value])).toEqual([[CompressionType.Lz4, 'v1'], [CompressionType.Lz4, 'v2']]);
    expect(stored(plane, 'plain').map((r) => r.compression)).toEqual([CompressionType.None, CompressionType.None]);
    expect(stored(plane, 'kept').map((r) => r.compression)).toEqual([CompressionType.Gzip, CompressionType.Gzip]);
    const log = plane.replicas.hostedPartition({ topic: 'lz4', partition: 0 })!.log;
    const rebuilt = batchViews(readSlice(log.read(0, 1 << 20).records!))![0];
    expect([rebuilt.producerId, rebuilt.baseSequence]).toEqual([7, 0]);
    expect(decodeBatchRecords(rebuilt)[0].headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
  });

  it('acknowledges a retried idempotent batch with its original offset and answers sequence errors', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('idem');
    const batch = (baseSequence: number, values: string[]) => batchOf(values, { producerId: 11, producerEpoch: 0, baseSequence });
    expect((await plane.produce('idem', 0, batch(0, ['a', 'b']))).baseOffset).toBe(0);
    expect((await plane.produce('idem', 0, batch(2, ['c']))).baseOffset).toBe(2);
    const retried = await plane.produce('idem', 0, batch(0, ['a', 'b']));
    expect([retried.errorCode, retried.baseOffset, retried.logStartOffset]).toEqual([ErrorCode.NONE, 0, 0]);
    const gap = await plane.produce('idem', 0, batch(9, ['x']));
    expect([gap.errorCode, gap.baseOffset, gap.logStartOffset, gap.errorMessage, gap.recordErrors]).toEqual([
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      -1,
      0,
      null,
      [],
    ]);
    expect((await plane.produce('idem', 0, batchOf(['new'], { producerId: 11, producerEpoch: 1, baseSequence: 0 }))).baseOffset).toBe(3);
    const stale = await plane.produce('idem', 0, batch(3, ['old']));
    expect([stale.errorCode, stale.logStartOffset]).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH, 0]);
    expect(plane.replicas.hostedPartition({ topic: 'idem', partition: 0 })!.log.logEndOffset).toBe(4);
  });

  it('checks max.message.bytes on the batch the producer sent, before recompression', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('small', { configs: { 'compression.type': 'zstd', 'max.message.bytes': '500' } });
    const big = batchOf(['x'.repeat(2000)]);
    const result = await plane.produce('small', 0, big);
    expect(result).toMatchObject({ errorCode: ErrorCode.MESSAGE_TOO_LARGE, logStartOffset: -1 });
  });

  it('answers CORRUPT_MESSAGE for a bad CRC and RECORD_LIST_TOO_LARGE beyond segment.bytes', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders', { configs: { 'segment.bytes': '1000' } });
    const corrupt = batchOf(['a']);
    corrupt[corrupt.length - 1] ^= 0xff;
    expect((await plane.produce('orders', 0, corrupt)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect((await plane.produce('orders', 0, batchOf(['x'.repeat(1500)]))).errorCode).toBe(ErrorCode.RECORD_LIST_TOO_LARGE);
  });

  it('names the keyless records a compacted topic refuses (INVALID_RECORD with record errors)', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('compacted', { configs: { 'cleanup.policy': 'compact' } });
    const result = await plane.produce('compacted', 0, batchOf([{ key: 'a', value: '1' }, { key: null, value: '2' }, { key: null, value: '3' }]));
    const message = 'Compacted topic cannot accept message without key in topic partition compacted-0.';
    expect(result).toEqual({
      errorCode: ErrorCode.INVALID_RECORD,
      baseOffset: -1,
      logAppendTime: -1,
      logStartOffset: 0,
      recordErrors: [
        { batchIndex: 1, message },
        { batchIndex: 2, message },
      ],
      errorMessage:
        'One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: ' +
        `[RecordError(batchIndex=1, message='${message}'), RecordError(batchIndex=2, message='${message}')]`,
    });
  });

  it('names the records whose CreateTime is out of range (INVALID_TIMESTAMP with record errors)', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('timed', { configs: { 'message.timestamp.after.max.ms': '1000', 'message.timestamp.before.max.ms': '1000' } });
    const now = plane.clock.now();
    const result = await plane.produce('timed', 0, batchOf([{ value: 'ok', timestamp: now }, { value: 'late', timestamp: now + 5000 }]));
    expect(result).toMatchObject({
      errorCode: ErrorCode.INVALID_TIMESTAMP,
      logStartOffset: 0,
      recordErrors: [
        {
          batchIndex: 1,
          message: `Timestamp ${now + 5000} of message with offset 1 is out of range. The timestamp should be within [${now - 1000}, ${now + 1000}]`,
        },
      ],
      errorMessage: 'One or more records have been rejected due to invalid timestamp',
    });
  });

  it('refuses LogAppendTime set by a producer on a LogAppendTime topic', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('events', { configs: { 'message.timestamp.type': 'LogAppendTime' } });
    const result = await plane.produce('events', 0, batchOf(['a'], { logAppendTime: 5 }));
    expect(result.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(result.recordErrors[0].message).toBe(
      'Invalid timestamp type in message DefaultRecord(offset=0, timestamp=5, key=1 bytes, value=1 bytes). Producer should not set timestamp type to LogAppendTime.',
    );
  });

  it('answers KAFKA_STORAGE_ERROR when the disk fails, and keeps answering it for that directory', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders');
    plane.fs.failNext('write', 'EIO');
    expect(await plane.produce('orders', 0, batchOf(['a']))).toMatchObject({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logStartOffset: -1 });
    expect((await plane.produce('orders', 0, batchOf(['b']))).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
  });

  it('stores the producer batch bytes unchanged when nothing needs converting', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders');
    const batch = batchOf(['a', 'b'], { compression: CompressionType.Snappy });
    const body = Buffer.from(batch.subarray(16));
    await plane.produce('orders', 0, batch);
    const log = plane.replicas.hostedPartition({ topic: 'orders', partition: 0 })!.log;
    const onDisk = readSlice(log.read(0, 1 << 20).records!);
    // Everything from the magic byte on (CRC, attributes, records) is the producer's.
    expect(onDisk.subarray(16)).toEqual(body);
    expect(new RecordBatchHeader(onDisk).partitionLeaderEpoch).toBe(0);
  });
});
