import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../src/protocol/codec-runtime.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { CompressionType } from '../../src/protocol/records/batch-header.js';
import { decodeBatchRecords } from '../../src/protocol/records/batch-records.js';
import { readMessageSet } from '../../src/protocol/records/legacy/message-set-reader.js';
import { batchViews } from '../../src/replication/batch-views.js';
import type { FetchTarget, PartitionFetchData } from '../../src/replication/fetch-session.js';
import type { FetchedPartition } from '../../src/replication/fetched-partition.js';
import type { FetchParams } from '../../src/replication/replica-manager.js';
import { batchOf, DataPlane } from './support.js';

function data(fetchOffset: number, extra: Partial<PartitionFetchData> = {}): PartitionFetchData {
  return { fetchOffset, logStartOffset: -1, maxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1, ...extra };
}

function target(topic: string, partition: number, fetchOffset: number, extra: Partial<PartitionFetchData> = {}): FetchTarget {
  return { topicId: ZERO_UUID, topic, partition, data: data(fetchOffset, extra) };
}

function fetchParams(targets: FetchTarget[], extra: Partial<FetchParams> = {}): FetchParams {
  return {
    version: 12,
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 50 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    targets,
    forgotten: [],
    ...extra,
  };
}

/** The values of the records a partition answered with. */
function values(p: FetchedPartition): string[] {
  return batchViews(p.records!)!.flatMap((b) => decodeBatchRecords(b).map((r) => r.value!.toString()));
}

async function planeWithOrders(messages: string[][] = [['a', 'b'], ['c']]): Promise<DataPlane> {
  const plane = await DataPlane.start();
  await plane.createTopic('orders');
  for (const batch of messages) await plane.produce('orders', 0, batchOf(batch));
  return plane;
}

describe('ReplicaManager fetch', () => {
  it('returns whole batches from the one holding the fetch offset, with the offsets of the partition', async () => {
    const plane = await planeWithOrders();
    const result = await plane.replicas.fetch(fetchParams([target('orders', 0, 1)]));
    expect(result).toMatchObject({ errorCode: ErrorCode.NONE, sessionId: 0 });
    const [p] = result.partitions;
    expect(p).toMatchObject({ topic: 'orders', partition: 0, errorCode: ErrorCode.NONE, highWatermark: 3, lastStableOffset: 3, logStartOffset: 0 });
    expect(p.abortedTransactions).toBeNull();
    expect(values(p)).toEqual(['a', 'b', 'c']);
  });

  it('answers OFFSET_OUT_OF_RANGE past the log end with no offsets and empty records', async () => {
    const plane = await planeWithOrders();
    const [p] = (await plane.replicas.fetch(fetchParams([target('orders', 0, 9)]))).partitions;
    expect(p).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 });
    expect(p.records).toEqual(Buffer.alloc(0));
  });

  it('answers unknown topics with null records, and unknown topic ids with UNKNOWN_TOPIC_ID', async () => {
    const plane = await planeWithOrders();
    const result = await plane.replicas.fetch(
      fetchParams([target('orders', 0, 0), target('missing', 0, 0), target('orders', 7, 0)]),
    );
    expect(result.partitions.map((p) => [p.topic, p.partition, p.errorCode, p.records === null])).toEqual([
      ['orders', 0, ErrorCode.NONE, false],
      ['missing', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, true],
      ['orders', 7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, true],
    ]);
    const byId = await plane.replicas.fetch(
      fetchParams(
        [
          { topicId: plane.image.topicsByName.get('orders')!.id, topic: null, partition: 0, data: data(0) },
          { topicId: 'AAAAAAAAAAAAAAAAAAAAEQ', topic: null, partition: 0, data: data(0) },
        ],
        { version: 13 },
      ),
    );
    expect(byId.partitions.map((p) => [p.topic, p.errorCode])).toEqual([
      ['orders', ErrorCode.NONE],
      [null, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
  });

  it('returns at least the first batch of the first partition with data even beyond the limits, then keeps to them', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders', { partitions: 2 });
    await plane.produce('orders', 0, batchOf(['x'.repeat(500)]));
    await plane.produce('orders', 0, batchOf(['y'.repeat(500)]));
    await plane.produce('orders', 1, batchOf(['z'.repeat(500)]));
    const result = await plane.replicas.fetch(fetchParams([target('orders', 0, 0, { maxBytes: 100 }), target('orders', 1, 0)], { maxBytes: 100 }));
    expect(result.partitions.map((p) => values(p).length)).toEqual([1, 0]);
    // Fetch v0-v2 never returns a batch larger than the limits.
    const old = await plane.replicas.fetch(fetchParams([target('orders', 0, 0, { maxBytes: 100 })], { version: 2 }));
    expect(old.partitions[0].records!.length).toBe(0);
  });

  it('reads up to the high watermark for consumers, and answers [] aborted transactions for read_committed', async () => {
    const plane = await planeWithOrders();
    const [p] = (await plane.replicas.fetch(fetchParams([target('orders', 0, 0)], { isolationLevel: 1 }))).partitions;
    expect(p.abortedTransactions).toEqual([]);
    expect(values(p)).toEqual(['a', 'b', 'c']);
  });

  it('waits for minBytes, and answers when an append brings them', async () => {
    const plane = await planeWithOrders();
    let answered = false;
    const pending = plane.replicas.fetch(fetchParams([target('orders', 0, 3)], { maxWaitMs: 500 })).then((r) => {
      answered = true;
      return r;
    });
    await Promise.resolve();
    expect(answered).toBe(false);
    expect(plane.replicas.delayedCount).toBe(1);
    await plane.produce('orders', 0, batchOf(['d']));
    const result = await pending;
    expect(values(result.partitions[0])).toEqual(['d']);
    expect(plane.replicas.delayedCount).toBe(0);
    expect(plane.scheduler.pending).toBe(0);
  });

  it('answers with what there is when maxWaitMs passes first', async () => {
    const plane = await planeWithOrders();
    const pending = plane.replicas.fetch(fetchParams([target('orders', 0, 3)], { maxWaitMs: 500, minBytes: 1 }));
    plane.scheduler.advance(499);
    expect(plane.replicas.delayedCount).toBe(1);
    plane.scheduler.advance(1);
    const [p] = (await pending).partitions;
    expect(p).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 3 });
    expect(p.records!.length).toBe(0);
  });

  it('keeps waiting while an append brings fewer than minBytes', async () => {
    const plane = await planeWithOrders();
    const pending = plane.replicas.fetch(fetchParams([target('orders', 0, 3)], { maxWaitMs: 1000, minBytes: 10_000 }));
    await plane.produce('orders', 0, batchOf(['small']));
    expect(plane.replicas.delayedCount).toBe(1);
    await plane.produce('orders', 0, batchOf(['x'.repeat(10_000)]));
    expect(values((await pending).partitions[0])).toEqual(['small', 'x'.repeat(10_000)]);
  });

  it('ends a long poll when the partition stops being led here', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2] });
    await plane.createTopic('orders', { replicas: [1, 2] });
    const pending = plane.replicas.fetch(fetchParams([target('orders', 0, 0)], { maxWaitMs: 10_000, version: 10 }));
    await plane.changeLeader('orders', 0, 2);
    expect((await pending).partitions[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('checks the current leader epoch: older is fenced, newer unknown', async () => {
    const plane = await planeWithOrders();
    await plane.changeLeader('orders', 0, 1);
    const epochs = await Promise.all(
      [0, 1, 2].map(async (epoch) => (await plane.replicas.fetch(fetchParams([target('orders', 0, 0, { currentLeaderEpoch: epoch })]))).partitions[0].errorCode),
    );
    expect(epochs).toEqual([ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.NONE, ErrorCode.UNKNOWN_LEADER_EPOCH]);
  });

  it('reports a diverging epoch when the last fetched epoch ends before the fetch offset', async () => {
    const plane = await planeWithOrders();
    await plane.changeLeader('orders', 0, 1);
    await plane.produce('orders', 0, batchOf(['d']));
    // Epoch 0 ends at offset 3 here; a fetcher at 5 that last saw epoch 0 has diverged.
    const [diverged] = (await plane.replicas.fetch(fetchParams([target('orders', 0, 3, { lastFetchedEpoch: 0 })]))).partitions;
    expect(diverged.divergingEpoch).toBeNull();
    const log = plane.replicas.hostedPartition({ topic: 'orders', partition: 0 })!.log;
    expect(log.logEndOffset).toBe(4);
    const result = await plane.replicas.fetch(fetchParams([target('orders', 0, 4, { lastFetchedEpoch: 0 })], { maxWaitMs: 1000 }));
    expect(result.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, divergingEpoch: { epoch: 0, endOffset: 3 } });
    expect(result.partitions[0].records!.length).toBe(0);
  });

  it('down-converts for fetch versions before v4: message format v0 for v0-v1, v1 for v2-v3', async () => {
    const plane = await planeWithOrders();
    for (const [version, magic] of [[0, 0], [1, 0], [2, 1], [3, 1]]) {
      const [p] = (await plane.replicas.fetch(fetchParams([target('orders', 0, 0)], { version }))).partitions;
      const set = readMessageSet(p.records!);
      expect(set.entries.map((e) => e.magic)).toEqual([magic, magic, magic]);
      expect(set.entries.map((e) => e.records[0].value!.toString())).toEqual(['a', 'b', 'c']);
    }
  });

  it('refuses fetches before v10 from zstd topics and down-conversion when the topic disables it', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('zstd', { configs: { 'compression.type': 'zstd' } });
    await plane.createTopic('mixed');
    await plane.createTopic('modern', { configs: { 'message.downconversion.enable': 'false' } });
    await plane.produce('zstd', 0, batchOf(['a']));
    await plane.produce('mixed', 0, batchOf(['a']));
    await plane.produce('mixed', 0, batchOf(['b'], { compression: CompressionType.Zstd }));
    await plane.produce('modern', 0, batchOf(['a']));
    const code = async (topic: string, version: number, offset = 0) =>
      (await plane.replicas.fetch(fetchParams([target(topic, 0, offset)], { version }))).partitions[0];
    expect((await code('zstd', 9)).errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect((await code('zstd', 9)).records).toBeNull();
    expect((await code('zstd', 10)).errorCode).toBe(ErrorCode.NONE);
    // zstd batches a producer chose go to v4-v9 as they are, as Kafka sends them (kafka-python 2.0
    // fetches with v4 and reads them). Down-conversion for v0-v3 stops before the first one, or
    // fails if that comes first.
    expect(values(await code('mixed', 4))).toEqual(['a', 'b']);
    expect(values(await code('mixed', 9, 1))).toEqual(['b']);
    expect(readMessageSet((await code('mixed', 3)).records!).entries.map((e) => e.records[0].value!.toString())).toEqual(['a']);
    expect((await code('mixed', 3, 1)).errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect((await code('modern', 3)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await code('modern', 4)).errorCode).toBe(ErrorCode.NONE);
  });

  it('answers KAFKA_STORAGE_ERROR once the log directory is offline, NOT_LEADER_OR_FOLLOWER before v6', async () => {
    const plane = await planeWithOrders();
    plane.fs.failNext('write');
    await plane.produce('orders', 0, batchOf(['d']));
    const code = async (version: number) => (await plane.replicas.fetch(fetchParams([target('orders', 0, 0)], { version }))).partitions[0].errorCode;
    expect(await code(6)).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(await code(5)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('refuses follower fetches from brokers that are not replicas, and reads to the log end for replicas', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2, 3] });
    await plane.createTopic('orders', { replicas: [1, 2] });
    await plane.produce('orders', 0, batchOf(['a']));
    const fromReplica = await plane.replicas.fetch(fetchParams([target('orders', 0, 0)], { replicaId: 2 }));
    expect(values(fromReplica.partitions[0])).toEqual(['a']);
    // The ISR includes broker 2, which has not confirmed anything: consumers see nothing yet.
    const consumer = await plane.replicas.fetch(fetchParams([target('orders', 0, 0)]));
    expect(consumer.partitions[0]).toMatchObject({ highWatermark: 0 });
    expect(consumer.partitions[0].records!.length).toBe(0);
    const stranger = await plane.replicas.fetch(fetchParams([target('orders', 0, 0)], { replicaId: 3 }));
    expect(stranger.partitions[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});
