import { LOG_OVERHEAD, RECORD_BATCH_MAGIC, RecordBatchHeader } from '../protocol/records/batch-header.js';
import { decodeBatchRecords, recordTimestamp } from '../protocol/records/batch-records.js';
import { ControlRecordType, readControlRecordKey } from '../protocol/records/control-record.js';
import { readMessageSet } from '../protocol/records/legacy/message-set-reader.js';
import type { RecordHeader } from '../protocol/records/record.js';
import { TimestampType } from '../protocol/records/timestamp-type.js';

/** Kafka's TimestampType names, as its console consumer prints them. */
export type TimestampTypeName = 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';

/** A record as a consumer sees it. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: TimestampTypeName;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
  /** Bytes of key and value, as Kafka's consumer perf test counts them. */
  readonly sizeInBytes: number;
}

/** An aborted transaction from a read_committed Fetch response. */
export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
}

export interface FetchedRecords {
  readonly records: ConsumedRecord[];
  /** The position after what was read: past every whole batch at or after the fetch offset. */
  readonly nextOffset: number;
}

const TIMESTAMP_TYPE_NAMES: Readonly<Record<number, TimestampTypeName>> = {
  [TimestampType.None]: 'NoTimestampType',
  [TimestampType.CreateTime]: 'CreateTime',
  [TimestampType.LogAppendTime]: 'LogAppendTime',
};

/**
 * The records of one partition's Fetch answer from `fetchOffset` on, as Kafka's consumer reads
 * them: records before the fetch offset (a batch may start earlier) are skipped, a batch cut short
 * at the end is left for the next fetch, control batches are never returned, and with
 * read_committed the batches of aborted transactions are dropped (Kafka's CompletedFetch logic:
 * a producer's batches are aborted from the aborted transaction's first offset until its ABORT
 * marker). Magic v0/v1 message sets are read too.
 */
export function decodeFetchedRecords(
  topic: string,
  partition: number,
  bytes: Buffer,
  fetchOffset: number,
  readCommitted: boolean,
  abortedTransactions: readonly AbortedTransaction[] | null,
): FetchedRecords {
  const records: ConsumedRecord[] = [];
  let nextOffset = fetchOffset;
  const pendingAborts = [...(abortedTransactions ?? [])].sort((a, b) => a.firstOffset - b.firstOffset);
  const abortedProducers = new Set<number>();
  let position = 0;
  while (position + LOG_OVERHEAD <= bytes.length) {
    const size = bytes.readInt32BE(position + 8) + LOG_OVERHEAD;
    if (size < LOG_OVERHEAD + 5 || position + size > bytes.length) break;
    const entry = bytes.subarray(position, position + size);
    position += size;
    const magic = entry.readInt8(16);
    if (magic < RECORD_BATCH_MAGIC) {
      for (const message of readMessageSet(entry).entries) {
        for (const r of message.records) {
          if (r.offset < fetchOffset) continue;
          records.push(consumed(topic, partition, r.offset, r.timestamp, TIMESTAMP_TYPE_NAMES[message.timestampType], r.key, r.value, []));
        }
        const last = message.records.at(-1)?.offset ?? message.offset;
        nextOffset = Math.max(nextOffset, last + 1);
      }
      continue;
    }
    const batch = new RecordBatchHeader(entry);
    if (batch.lastOffset < fetchOffset) continue;
    nextOffset = Math.max(nextOffset, batch.lastOffset + 1);
    if (readCommitted && batch.producerId >= 0) {
      while (pendingAborts.length > 0 && pendingAborts[0].firstOffset <= batch.lastOffset) abortedProducers.add(pendingAborts.shift()!.producerId);
      if (batch.isControl) {
        const [marker] = decodeBatchRecords(batch);
        if (marker !== undefined && readControlRecordKey(marker.key).type === ControlRecordType.Abort) abortedProducers.delete(batch.producerId);
        continue;
      }
      if (batch.isTransactional && abortedProducers.has(batch.producerId)) continue;
    }
    if (batch.isControl) continue;
    const timestampType: TimestampTypeName = batch.isLogAppendTime ? 'LogAppendTime' : 'CreateTime';
    for (const r of decodeBatchRecords(batch)) {
      const offset = batch.baseOffset + r.offsetDelta;
      if (offset < fetchOffset) continue;
      records.push(consumed(topic, partition, offset, recordTimestamp(batch, r), timestampType, r.key, r.value, r.headers));
    }
  }
  return { records, nextOffset };
}

function consumed(
  topic: string,
  partition: number,
  offset: number,
  timestamp: number,
  timestampType: TimestampTypeName,
  key: Buffer | null,
  value: Buffer | null,
  headers: readonly RecordHeader[],
): ConsumedRecord {
  return { topic, partition, offset, timestamp, timestampType, key, value, headers, sizeInBytes: (key?.length ?? 0) + (value?.length ?? 0) };
}
