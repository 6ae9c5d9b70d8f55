import { CompressionType } from '../batch-header.js';
import { buildRecordBatch, type RecordInput } from '../batch-builder.js';
import { TimestampType } from '../timestamp-type.js';
import type { LegacyEntry, LegacyRecord } from './message-set-reader.js';

const INT32_MAX = 0x7fffffff;

export interface UpConvertOptions {
  /** Renumber the records from here (the produce path); without it their own offsets are kept. */
  firstOffset?: number;
}

interface PendingBatch {
  compression: CompressionType;
  timestampType: TimestampType;
  /** The timestamp LogAppendTime records share. */
  logAppendTime: number;
  baseOffset: number;
  lastOffset: number;
  records: RecordInput[];
}

/**
 * Turns the entries of a v0/v1 message set into v2 batches, keeping keys, values and timestamps
 * (-1 for v0). Each compressed wrapper becomes a batch of the same codec; runs of plain messages
 * share an uncompressed batch. A new batch starts wherever the records cannot share one: the
 * timestamp type changes, LogAppendTime stamps differ, or kept offsets stop increasing or
 * overflow an int32 delta. Producer fields are left empty (-1), as legacy messages have none.
 */
export function legacyToRecordBatches(entries: readonly LegacyEntry[], options: UpConvertOptions = {}): Buffer[] {
  const batches: Buffer[] = [];
  let nextOffset = options.firstOffset;
  let pending: PendingBatch | null = null;
  const flush = (): void => {
    if (pending !== null) batches.push(buildBatch(pending));
    pending = null;
  };

  for (const entry of entries) {
    if (entry.compression !== CompressionType.None || pending?.compression !== CompressionType.None) flush();
    const timestampType =
      entry.timestampType === TimestampType.LogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime;
    for (const record of entry.records) {
      const offset = nextOffset === undefined ? record.offset : nextOffset++;
      if (pending !== null && !fits(pending, timestampType, record, offset)) flush();
      pending ??= {
        compression: entry.compression,
        timestampType,
        logAppendTime: record.timestamp,
        baseOffset: offset,
        lastOffset: offset,
        records: [],
      };
      pending.lastOffset = offset;
      const { key, value, timestamp } = record;
      pending.records.push({ key, value, timestamp, offsetDelta: offset - pending.baseOffset });
    }
  }
  flush();
  return batches;
}

function fits(batch: PendingBatch, timestampType: TimestampType, record: LegacyRecord, offset: number): boolean {
  if (timestampType !== batch.timestampType) return false;
  if (timestampType === TimestampType.LogAppendTime && record.timestamp !== batch.logAppendTime) return false;
  return offset > batch.lastOffset && offset - batch.baseOffset <= INT32_MAX;
}

function buildBatch(batch: PendingBatch): Buffer {
  return buildRecordBatch({
    records: batch.records,
    baseOffset: batch.baseOffset,
    compression: batch.compression,
    logAppendTime: batch.timestampType === TimestampType.LogAppendTime ? batch.logAppendTime : undefined,
  });
}
