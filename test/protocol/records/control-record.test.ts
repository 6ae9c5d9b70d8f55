import { describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../../src/protocol/records/batch-builder.js';
import { RecordBatchHeader } from '../../../src/protocol/records/batch-header.js';
import { decodeBatchRecords, recordOffset, recordTimestamp } from '../../../src/protocol/records/batch-records.js';
import {
  buildTxnMarkerBatch,
  ControlRecordType,
  encodeControlRecordKey,
  encodeEndTxnMarker,
  readControlRecordKey,
  readEndTxnMarker,
} from '../../../src/protocol/records/control-record.js';
import { expectDecodeError } from './fixtures.js';

describe('transaction marker batches', () => {
  it.each([
    ['COMMIT', ControlRecordType.Commit],
    ['ABORT', ControlRecordType.Abort],
  ] as const)('builds a %s marker as Kafka writes it', (_name, type) => {
    const bytes = buildTxnMarkerBatch({
      type,
      producerId: 4000,
      producerEpoch: 2,
      coordinatorEpoch: 11,
      timestamp: 1_700_000_000_123,
      baseOffset: 77,
      partitionLeaderEpoch: 5,
    });
    const batch = new RecordBatchHeader(bytes);
    expect(batch.isControl).toBe(true);
    expect(batch.isTransactional).toBe(true);
    expect([batch.producerId, batch.producerEpoch, batch.baseSequence]).toEqual([4000, 2, -1]);
    expect([batch.baseOffset, batch.lastOffset, batch.partitionLeaderEpoch]).toEqual([77, 77, 5]);
    const [record, ...rest] = decodeBatchRecords(batch);
    expect(rest).toEqual([]);
    expect(recordOffset(batch, record)).toBe(77);
    expect(recordTimestamp(batch, record)).toBe(1_700_000_000_123);
    expect(record.key).toEqual(Buffer.from([0, 0, 0, type]));
    expect(record.value).toEqual(Buffer.from([0, 0, 0, 0, 0, 11]));
    expect(readControlRecordKey(record.key)).toEqual({ version: 0, type });
    expect(readEndTxnMarker(record.value)).toEqual({ version: 0, coordinatorEpoch: 11 });
  });

  it('reads control keys of other types (KRaft) and of newer versions', () => {
    const key = Buffer.from([0, 1, 0, ControlRecordType.LeaderChange, 0xaa]);
    expect(readControlRecordKey(key)).toEqual({ version: 1, type: ControlRecordType.LeaderChange });
    expect(readControlRecordKey(encodeControlRecordKey(ControlRecordType.SnapshotHeader)).type).toBe(3);
    expect(readEndTxnMarker(Buffer.concat([encodeEndTxnMarker(-1), Buffer.from([1, 2])]))).toEqual({ version: 0, coordinatorEpoch: -1 });
  });

  it('carries other control records through the general builder', () => {
    const bytes = buildRecordBatch({
      records: [{ key: encodeControlRecordKey(ControlRecordType.LeaderChange), value: Buffer.from('leader'), timestamp: 5 }],
      isControl: true,
    });
    const batch = new RecordBatchHeader(bytes);
    expect(batch.isControl).toBe(true);
    expect(batch.isTransactional).toBe(false);
    expect(readControlRecordKey(decodeBatchRecords(batch)[0].key).type).toBe(ControlRecordType.LeaderChange);
  });

  it('rejects malformed control keys and markers', () => {
    expectDecodeError(() => readControlRecordKey(null), /control record key of null bytes/);
    expectDecodeError(() => readControlRecordKey(Buffer.from([0, 0, 1])), /of 3 bytes, need 4/);
    expectDecodeError(() => readControlRecordKey(Buffer.from([0xff, 0xff, 0, 1])), /negative control record key version/);
    expectDecodeError(() => readEndTxnMarker(null), /end-transaction marker of null bytes/);
    expectDecodeError(() => readEndTxnMarker(Buffer.from([0, 0, 0, 0, 1])), /of 5 bytes, need 6/);
    expectDecodeError(() => readEndTxnMarker(Buffer.from([0x80, 0, 0, 0, 0, 1])), /negative end-transaction marker version/);
  });
});
