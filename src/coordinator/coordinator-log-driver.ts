import { ErrorCode } from '../protocol/generated/error-codes.js';
import { buildRecordBatch } from '../protocol/records/batch-builder.js';
import { NO_SEQUENCE, type RecordBatchHeader } from '../protocol/records/batch-header.js';
import { decodeBatchRecords } from '../protocol/records/batch-records.js';
import type { BatchRecord } from '../protocol/records/record.js';
import { batchViews } from '../replication/batch-views.js';
import { readLocalBatches } from '../replication/log-reads.js';
import type { Partition } from '../replication/partition.js';
import { ACKS_ALL, type ReplicaManager } from '../replication/replica-manager.js';

/** What a coordinator keeps per partition it serves: the leader epoch it loaded the shard in. */
export interface LoadedShard {
  readonly partition: number;
  readonly leaderEpoch: number;
}

/**
 * Brings a coordinator's shards in line with the partitions of its internal topic this broker
 * leads (after each metadata image): a partition it no longer leads, or leads in a new epoch, is
 * unloaded; one it leads without a shard is loaded.
 */
export function reconcileShards<S extends LoadedShard>(
  replicas: ReplicaManager,
  topic: string,
  shards: ReadonlyMap<number, S>,
  actions: { load(partition: Partition): void; unload(shard: S): void },
): void {
  const partitionCount = replicas.image.topicsByName.get(topic)?.partitions.size ?? 0;
  for (const shard of [...shards.values()]) {
    const partition = replicas.hostedPartition({ topic, partition: shard.partition });
    if (shard.partition >= partitionCount || partition === undefined || !partition.isLeader || partition.leaderEpoch !== shard.leaderEpoch) {
      actions.unload(shard);
    }
  }
  for (let p = 0; p < partitionCount; p++) {
    const partition = replicas.hostedPartition({ topic, partition: p });
    if (partition !== undefined && partition.isLeader && !shards.has(p)) actions.load(partition);
  }
}

/** Every loaded shard, and COORDINATOR_LOAD_IN_PROGRESS while one is still loading (ListGroups, ListTransactions). */
export function activeShards<T>(hosted: Iterable<{ readonly status: 'loading' | 'active'; readonly shard: T }>): { shards: T[]; loadingError: number } {
  const shards: T[] = [];
  let loadingError: number = ErrorCode.NONE;
  for (const h of hosted) {
    if (h.status === 'active') shards.push(h.shard);
    else loadingError = ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }
  return { shards, loadingError };
}

/** Bytes read per step while loading a partition; the event loop gets a turn between steps. */
const LOAD_READ_BYTES = 1024 * 1024;

/**
 * Reads a coordinator's partition from its start to its log end, handing every record (and each
 * control batch) to the shard being loaded, until `stillLoading` turns false. Resolves with the
 * number of data records read.
 */
export async function replayCoordinatorPartition(
  partition: Partition,
  stillLoading: () => boolean,
  onRecord: (record: BatchRecord, batch: RecordBatchHeader) => void,
  onControlBatch: (batch: RecordBatchHeader) => void = () => {},
): Promise<number> {
  const end = partition.log.logEndOffset;
  let offset = partition.log.logStartOffset;
  let count = 0;
  while (offset < end && stillLoading()) {
    const bytes = readLocalBatches(partition, offset, LOAD_READ_BYTES, end);
    if (bytes === null) break;
    const batches = batchViews(bytes) ?? [];
    if (batches.length === 0) break;
    for (const batch of batches) {
      offset = batch.lastOffset + 1;
      if (batch.isControl) {
        onControlBatch(batch);
        continue;
      }
      for (const record of decodeBatchRecords(batch)) {
        onRecord(record, batch);
        count++;
      }
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return count;
}

/** What a coordinator appends: encoded records, in a transactional batch when a producer is named. */
export interface CoordinatorAppend {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly { key: Buffer; value: Buffer | null }[];
  readonly now: number;
  readonly timeoutMs: number;
  readonly producer?: { readonly producerId: number; readonly producerEpoch: number };
}

/** How an append ended: NONE once committed, else the error to answer; and whether the batch reached the log (it may have, even when acks=all then failed). */
export interface CoordinatorAppendResult {
  readonly errorCode: number;
  readonly written: boolean;
}

/**
 * Appends a coordinator's records as one batch with acks=all, as the broker's own write: a
 * transactional batch carries its producer's id and epoch but no sequence, as Kafka's coordinators
 * write them. Errors are translated for the waiting requests (Kafka's CoordinatorRuntime).
 */
export async function appendCoordinatorRecords(replicas: ReplicaManager, append: CoordinatorAppend): Promise<CoordinatorAppendResult> {
  if (append.records.length === 0) return { errorCode: ErrorCode.NONE, written: true };
  const batch = buildRecordBatch({
    records: append.records.map((r) => ({ ...r, timestamp: append.now })),
    ...(append.producer === undefined
      ? {}
      : { producerId: append.producer.producerId, producerEpoch: append.producer.producerEpoch, baseSequence: NO_SEQUENCE, isTransactional: true }),
  });
  const [result] = await replicas.appendRecords(
    {
      acks: ACKS_ALL,
      timeoutMs: append.timeoutMs,
      internalTopicsAllowed: true,
      entries: [{ topic: append.topic, partition: append.partition, records: batch }],
    },
    'coordinator',
  );
  return { errorCode: coordinatorError(result.errorCode), written: result.baseOffset >= 0 };
}

function coordinatorError(errorCode: number): number {
  switch (errorCode) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return errorCode;
  }
}
