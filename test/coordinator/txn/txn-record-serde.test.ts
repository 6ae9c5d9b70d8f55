import { describe, expect, it } from 'vitest';
import { decodeTxnRecord, encodeTxnRecord, TXN_LOG_VALUE_VERSION } from '../../../src/coordinator/txn/txn-record-serde.js';
import { transitOfValue, txnRecord, txnTombstone, type TxnRecord } from '../../../src/coordinator/txn/txn-records.js';
import type { TxnTransit } from '../../../src/coordinator/txn/transaction-metadata.js';
import { DecodeError } from '../../../src/protocol/decode-error.js';
import { TransactionLogValueCodec } from '../../../src/protocol/generated/records.js';
import { Writer } from '../../../src/protocol/writer.js';

const ONGOING: TxnTransit = {
  producerId: 4242,
  previousProducerId: 4242,
  nextProducerId: -1,
  producerEpoch: 7,
  lastProducerEpoch: 6,
  txnTimeoutMs: 60_000,
  state: 'Ongoing',
  topicPartitions: [
    { topic: 'orders', partition: 0 },
    { topic: 'payments', partition: 3 },
    { topic: 'orders', partition: 2 },
  ],
  txnStartTimestamp: 1_700_000_000_000,
  txnLastUpdateTimestamp: 1_700_000_000_500,
};

function roundTrip(record: TxnRecord): TxnRecord | null {
  const { key, value } = encodeTxnRecord(record);
  return decodeTxnRecord(key, value);
}

describe('__transaction_state records', () => {
  it('writes the key as version 0 and the transactional id', () => {
    const { key } = encodeTxnRecord(txnTombstone('tx'));
    expect(key).toEqual(Buffer.from([0, 0, 0, 2, 0x74, 0x78]));
  });

  it('writes the value as version 0 (what Kafka 3.9 writes), byte for byte', () => {
    const { value } = encodeTxnRecord(txnRecord('tx', { ...ONGOING, topicPartitions: [{ topic: 't', partition: 1 }] }));
    expect(TXN_LOG_VALUE_VERSION).toBe(0);
    const expected = Buffer.concat([
      Buffer.from([0, 0]), // version
      Buffer.from([0, 0, 0, 0, 0, 0, 0x10, 0x92]), // producer id 4242
      Buffer.from([0, 7]), // epoch
      Buffer.from([0, 0, 0xea, 0x60]), // timeout 60000
      Buffer.from([1]), // Ongoing
      Buffer.from([0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 1]), // [{t, [1]}]
      Buffer.from('0000018bcfe569f4', 'hex'), // last update
      Buffer.from('0000018bcfe56800', 'hex'), // start
    ]);
    expect(value).toEqual(expected);
  });

  it('round-trips a transition, grouping partitions by topic', () => {
    const record = txnRecord('tx', ONGOING);
    expect(record.value!.transactionPartitions).toEqual([
      { topic: 'orders', partitionIds: [0, 2] },
      { topic: 'payments', partitionIds: [3] },
    ]);
    const back = roundTrip(record)!;
    expect(back.key).toEqual({ transactionalId: 'tx' });
    expect(back.memo).toBeUndefined();
    const transit = transitOfValue('tx', back.value!);
    // The v0 value does not hold the previous producer id and last epoch: -1 after a reload, as in Kafka 3.9.
    expect(transit).toEqual({
      ...ONGOING,
      previousProducerId: -1,
      lastProducerEpoch: -1,
      topicPartitions: [
        { topic: 'orders', partition: 0 },
        { topic: 'orders', partition: 2 },
        { topic: 'payments', partition: 3 },
      ],
    });
  });

  it('keeps the memo on decided records only', () => {
    const record = txnRecord('tx', ONGOING);
    expect(record.memo).toEqual({ previousProducerId: 4242, lastProducerEpoch: 6 });
    expect(transitOfValue('tx', record.value!, record.memo)).toMatchObject({ previousProducerId: 4242, lastProducerEpoch: 6 });
  });

  it('writes a null partition array for Empty and an empty one for Complete*', () => {
    const empty = txnRecord('tx', { ...ONGOING, state: 'Empty', topicPartitions: [], txnStartTimestamp: -1 });
    expect(empty.value!.transactionPartitions).toBeNull();
    expect(roundTrip(empty)!.value!.transactionPartitions).toBeNull();
    const complete = txnRecord('tx', { ...ONGOING, state: 'CompleteCommit', topicPartitions: [] });
    expect(roundTrip(complete)!.value!.transactionPartitions).toEqual([]);
  });

  it('refuses partitions on an Empty record', () => {
    expect(() => txnRecord('tx', { ...ONGOING, state: 'Empty' })).toThrow(/Empty/);
  });

  it('ignores partitions of an Empty value when reading', () => {
    const value = { ...txnRecord('tx', ONGOING).value!, transactionStatus: 0 };
    expect(transitOfValue('tx', value).topicPartitions).toEqual([]);
  });

  it('round-trips a tombstone', () => {
    expect(roundTrip(txnTombstone('gone'))).toEqual({ key: { transactionalId: 'gone' }, value: null });
  });

  it('reads the flexible v1 value, keeping tagged fields it does not know', () => {
    const w = new Writer(128);
    w.writeInt16(1);
    const value = { ...txnRecord('tx', ONGOING).value!, unknownTaggedFields: [{ tag: 0, data: Buffer.from('0000000000000001', 'hex') }] };
    TransactionLogValueCodec.encode(w, 1, value);
    const back = decodeTxnRecord(encodeTxnRecord(txnTombstone('tx')).key, w.finishToBuffer())!;
    expect(back.value!.producerId).toBe(4242);
    expect(back.value!.transactionPartitions).toEqual(value.transactionPartitions!.map((p) => ({ ...p, unknownTaggedFields: undefined })));
    expect(back.value!.unknownTaggedFields).toHaveLength(1);
  });

  it('skips a key of an unknown version', () => {
    expect(decodeTxnRecord(Buffer.from([0, 5, 0, 0]), null)).toBeNull();
  });

  it('rejects a value of an unknown version or state, and truncated bytes', () => {
    const { key, value } = encodeTxnRecord(txnRecord('tx', ONGOING));
    const v2 = Buffer.from(value!);
    v2.writeInt16BE(2, 0);
    expect(() => decodeTxnRecord(key, v2)).toThrow(DecodeError);
    const badState = Buffer.from(value!);
    badState.writeInt8(9, 2 + 8 + 2 + 4);
    expect(() => decodeTxnRecord(key, badState)).toThrow(/unknown transaction state id 9/);
    expect(() => decodeTxnRecord(key, value!.subarray(0, 10))).toThrow(DecodeError);
    expect(() => transitOfValue('tx', { ...txnRecord('tx', ONGOING).value!, transactionStatus: 8 })).toThrow(/unknown transaction state/);
  });
});
