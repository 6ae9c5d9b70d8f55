import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../src/protocol/codec-runtime.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { CompressionType } from '../../src/protocol/records/batch-header.js';
import { decodeBatchRecords } from '../../src/protocol/records/batch-records.js';
import { batchViews } from '../../src/replication/batch-views.js';
import type { FetchedPartition } from '../../src/replication/fetched-partition.js';
import type { FetchParams } from '../../src/replication/replica-manager.js';
import { readSlice } from '../../src/storage/file-slice.js';
import { batchOf, DataPlane } from './support.js';

function fetchParams(fetchOffset: number, isolationLevel: number, topic = 'orders'): FetchParams {
  return {
    version: 12,
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 50 << 20,
    isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    targets: [
      {
        topicId: ZERO_UUID,
        topic,
        partition: 0,
        data: { fetchOffset, logStartOffset: -1, maxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 },
      },
    ],
    forgotten: [],
  };
}

async function fetchOne(plane: DataPlane, fetchOffset: number, isolationLevel: number, topic = 'orders'): Promise<FetchedPartition> {
  return (await plane.replicas.fetch(fetchParams(fetchOffset, isolationLevel, topic))).partitions[0];
}

/** Data record values, control records left out. */
function values(p: FetchedPartition): string[] {
  return batchViews(p.records!)!
    .filter((b) => !b.isControl)
    .flatMap((b) => decodeBatchRecords(b).map((r) => r.value!.toString()));
}

const txn = (values: string[], producerId: number, baseSequence = 0, producerEpoch = 0): Buffer =>
  batchOf(values, { producerId, producerEpoch, baseSequence, isTransactional: true });

const marker = (producerId: number, commit: boolean, topic = 'orders', producerEpoch = 0) => ({
  producerId,
  producerEpoch,
  coordinatorEpoch: 0,
  commit,
  partitions: [{ topic, partition: 0 }],
});

describe('ReplicaManager transactions', () => {
  it('reads committed data up to the last stable offset, with the aborted transactions of the range', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders');
    await plane.produce('orders', 0, batchOf(['a', 'b'])); // 0-1
    await plane.produce('orders', 0, txn(['t1', 't2'], 7)); // 2-3
    await plane.produce('orders', 0, batchOf(['c'])); // 4

    const committed = await fetchOne(plane, 0, 1);
    expect(committed).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 5, lastStableOffset: 2 });
    expect(committed.abortedTransactions).toEqual([]);
    expect(values(committed)).toEqual(['a', 'b']);
    const uncommitted = await fetchOne(plane, 0, 0);
    expect(uncommitted).toMatchObject({ highWatermark: 5, lastStableOffset: 2, abortedTransactions: null });
    expect(values(uncommitted)).toEqual(['a', 'b', 't1', 't2', 'c']);
    expect((await fetchOne(plane, 2, 1)).records).toEqual(Buffer.alloc(0));

    const latest = (isolationLevel: number) =>
      plane.replicas.listOffsets({ version: 5, replicaId: -1, isolationLevel, partitions: [{ topic: 'orders', partition: 0, currentLeaderEpoch: -1, timestamp: -1 }] })[0]
        .offset;
    expect([latest(0), latest(1)]).toEqual([5, 2]);

    const [result] = await plane.replicas.appendTxnMarkers([marker(7, false)]);
    expect(result).toEqual({ producerId: 7, partitions: [{ topic: 'orders', partition: 0, errorCode: ErrorCode.NONE }] });
    const afterAbort = await fetchOne(plane, 0, 1);
    expect(afterAbort).toMatchObject({ highWatermark: 6, lastStableOffset: 6 });
    expect(afterAbort.abortedTransactions).toEqual([{ producerId: 7, firstOffset: 2, lastOffset: 5, lastStableOffset: 6 }]);
    expect(values(afterAbort)).toEqual(['a', 'b', 't1', 't2', 'c']);
    expect([latest(0), latest(1)]).toEqual([6, 6]);
    // Fetching past the aborted transaction: nothing to drop.
    expect((await fetchOne(plane, 6, 1)).abortedTransactions).toEqual([]);

    await plane.produce('orders', 0, txn(['t3'], 7, 2)); // 6
    await plane.replicas.appendTxnMarkers([marker(7, true)]); // 7
    const afterCommit = await fetchOne(plane, 6, 1);
    expect(afterCommit).toMatchObject({ lastStableOffset: 8, abortedTransactions: [] });
    expect(values(afterCommit)).toEqual(['t3']);
  });

  it('answers each marker partition with its own error', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2] });
    await plane.createTopic('orders');
    await plane.createTopic('elsewhere', { replicas: [2] });
    await plane.createTopic('followed', { replicas: [2, 1], leader: 2 });
    await plane.produce('orders', 0, txn(['x'], 7, 0, 3));
    const [result] = await plane.replicas.appendTxnMarkers([
      {
        producerId: 7,
        producerEpoch: 2,
        coordinatorEpoch: 0,
        commit: false,
        partitions: [
          { topic: 'orders', partition: 0 },
          { topic: 'missing', partition: 0 },
          { topic: 'elsewhere', partition: 0 },
          { topic: 'followed', partition: 0 },
        ],
      },
    ]);
    expect(result.partitions.map((p) => [p.topic, p.errorCode])).toEqual([
      ['orders', ErrorCode.INVALID_PRODUCER_EPOCH],
      ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['elsewhere', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['followed', ErrorCode.NOT_LEADER_OR_FOLLOWER],
    ]);
    // The transaction is still open; a marker of the current (or a newer) epoch ends it.
    expect(plane.replicas.hostedPartition({ topic: 'orders', partition: 0 })!.lastStableOffset).toBe(0);
    const [fenced] = await plane.replicas.appendTxnMarkers([{ ...marker(7, true, 'orders', 3), coordinatorEpoch: 5 }]);
    expect(fenced.partitions[0].errorCode).toBe(ErrorCode.NONE);
    await plane.produce('orders', 0, txn(['y'], 7, 1, 3));
    const [older] = await plane.replicas.appendTxnMarkers([{ ...marker(7, true, 'orders', 3), coordinatorEpoch: 4 }]);
    expect(older.partitions[0].errorCode).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
  });

  it('waits for the ISR before answering a marker, as acks=all', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2], params: { txnMarkerTimeoutMs: 1_000 } });
    await plane.createTopic('orders', { replicas: [1, 2] });
    await plane.produce('orders', 0, txn(['x'], 7));
    let answered: unknown = null;
    const pending = plane.replicas.appendTxnMarkers([marker(7, true)]).then((r) => (answered = r));
    await Promise.resolve();
    expect(answered).toBe(null);
    plane.scheduler.advance(1_000);
    await pending;
    expect((answered as { partitions: { errorCode: number }[] }[])[0].partitions[0].errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
  });

  it('tells the listener about markers written to __consumer_offsets', async () => {
    const calls: string[] = [];
    let fail = false;
    const plane = await DataPlane.start({
      params: {
        onTxnMarkerWritten: (tp, producerId, commit) => {
          calls.push(`${tp.topic}-${tp.partition} ${producerId} ${commit}`);
          if (fail) throw new Error('boom');
        },
      },
    });
    await plane.createTopic('__consumer_offsets');
    await plane.createTopic('orders');
    const offsetCommit = batchOf([{ key: 'g', value: 'o' }], { producerId: 7, producerEpoch: 0, baseSequence: -1, isTransactional: true });
    await plane.replicas.appendRecords(
      { acks: -1, timeoutMs: 1_000, internalTopicsAllowed: true, entries: [{ topic: '__consumer_offsets', partition: 0, records: offsetCommit }] },
      'coordinator',
    );
    const [result] = await plane.replicas.appendTxnMarkers([
      { ...marker(7, true), partitions: [{ topic: 'orders', partition: 0 }, { topic: '__consumer_offsets', partition: 0 }] },
    ]);
    expect(result.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(calls).toEqual(['__consumer_offsets-0 7 true']);
    fail = true;
    const [failed] = await plane.replicas.appendTxnMarkers([{ ...marker(7, false, '__consumer_offsets') }]);
    expect(failed.partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    plane.replicas.setTxnMarkerListener(null);
  });

  it('keeps markers uncompressed on a topic whose compression.type recompresses data, as Kafka does', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('gzipped', { configs: { 'compression.type': 'gzip' } });
    const data = batchOf(['v'], { producerId: 7, producerEpoch: 0, baseSequence: 0, isTransactional: true });
    expect((await plane.produce('gzipped', 0, data)).errorCode).toBe(ErrorCode.NONE);
    const [result] = await plane.replicas.appendTxnMarkers([marker(7, true, 'gzipped')]);
    expect(result.partitions[0].errorCode).toBe(ErrorCode.NONE);
    const log = plane.replicas.hostedPartition({ topic: 'gzipped', partition: 0 })!.log;
    const batches = batchViews(readSlice(log.read(0, 1 << 20).records!))!;
    expect(batches.map((b) => [b.isControl, b.compression])).toEqual([
      [false, CompressionType.Gzip],
      [true, CompressionType.None],
    ]);
  });
});
