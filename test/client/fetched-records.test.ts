import { describe, expect, it } from 'vitest';
import { decodeFetchedRecords } from '../../src/client/fetched-records.js';
import { buildRecordBatch } from '../../src/protocol/records/batch-builder.js';
import { CompressionType } from '../../src/protocol/records/batch-header.js';
import { ControlRecordType, buildTxnMarkerBatch } from '../../src/protocol/records/control-record.js';
import { buildMessageSet } from '../../src/protocol/records/legacy/message-set-builder.js';

const record = (value: string, timestamp = 1000) => ({ key: null, value: Buffer.from(value), timestamp });
const values = (bytes: Buffer, fetchOffset: number, readCommitted = false, aborted: { producerId: number; firstOffset: number }[] | null = null) => {
  const fetched = decodeFetchedRecords('t', 0, bytes, fetchOffset, readCommitted, aborted);
  return { values: fetched.records.map((r) => `${r.offset}:${r.value?.toString()}`), next: fetched.nextOffset };
};

describe('decodeFetchedRecords', () => {
  it('skips records before the fetch offset and leaves a batch cut short for the next fetch', () => {
    const first = buildRecordBatch({ baseOffset: 0, records: [record('a'), record('b'), record('c')], compression: CompressionType.Gzip });
    const second = buildRecordBatch({ baseOffset: 3, records: [record('d')] });
    const bytes = Buffer.concat([first, second]);
    expect(values(bytes, 1)).toEqual({ values: ['1:b', '2:c', '3:d'], next: 4 });
    expect(values(bytes.subarray(0, bytes.length - 5), 0)).toEqual({ values: ['0:a', '1:b', '2:c'], next: 3 });
    expect(values(Buffer.alloc(0), 7)).toEqual({ values: [], next: 7 });
  });

  it('names the timestamp type and keeps headers', () => {
    const bytes = buildRecordBatch({ baseOffset: 5, logAppendTime: 4242, records: [{ key: Buffer.from('k'), value: null, timestamp: 1, headers: [{ key: 'h', value: Buffer.from('v') }] }] });
    const [r] = decodeFetchedRecords('t', 2, bytes, 5, false, null).records;
    expect(r).toMatchObject({ topic: 't', partition: 2, offset: 5, timestamp: 4242, timestampType: 'LogAppendTime', value: null, sizeInBytes: 1 });
    expect(r.headers).toEqual([{ key: 'h', value: Buffer.from('v') }]);
  });

  it('drops aborted transactions with read_committed, and never returns control records', () => {
    const txn = (baseOffset: number, producerId: number, value: string) => buildRecordBatch({ baseOffset, producerId, producerEpoch: 0, baseSequence: 0, isTransactional: true, records: [record(value)] });
    const marker = (baseOffset: number, producerId: number, type: ControlRecordType.Abort | ControlRecordType.Commit) =>
      buildTxnMarkerBatch({ baseOffset, producerId, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 1, type });
    const bytes = Buffer.concat([
      txn(0, 1, 'aborted-1'),
      txn(1, 2, 'committed-2'),
      marker(2, 1, ControlRecordType.Abort),
      marker(3, 2, ControlRecordType.Commit),
      txn(4, 1, 'later-1'),
      marker(5, 1, ControlRecordType.Commit),
    ]);
    expect(values(bytes, 0, true, [{ producerId: 1, firstOffset: 0 }])).toEqual({ values: ['1:committed-2', '4:later-1'], next: 6 });
    expect(values(bytes, 0, false, null).values).toEqual(['0:aborted-1', '1:committed-2', '4:later-1']);
  });

  it('reads magic v0 and v1 message sets', () => {
    const set = buildMessageSet({ magic: 1, records: [{ offset: 10, key: null, value: Buffer.from('x'), timestamp: 77 }, { offset: 11, key: null, value: Buffer.from('y'), timestamp: 78 }] });
    expect(values(set, 11)).toEqual({ values: ['11:y'], next: 12 });
  });
});
