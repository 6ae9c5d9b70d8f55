import { describe, expect, it } from 'vitest';
import {
  ABORTED_TXN_SIZE,
  CorruptTxnIndexError,
  decodeTxnIndex,
  encodeAbortedTxn,
  TransactionIndex,
} from '../../src/storage/transaction-index.js';
import { memoryEnv } from './support/memory-log.js';

const FILE = '/data/00000000000000000100.txnindex';

describe('TransactionIndex', () => {
  it("writes Kafka's 34-byte entries: version int16 0, producer id, first offset, last offset, last stable offset", () => {
    const bytes = encodeAbortedTxn({ producerId: 0x0102030405, firstOffset: 100, lastOffset: 120, lastStableOffset: 121 });
    expect(ABORTED_TXN_SIZE).toBe(34);
    expect(bytes.toString('hex')).toBe(
      '0000' + '0000000102030405' + '0000000000000064' + '0000000000000078' + '0000000000000079',
    );
    expect(decodeTxnIndex(bytes, 100)).toEqual([{ producerId: 0x0102030405, firstOffset: 100, lastOffset: 120, lastStableOffset: 121 }]);
  });

  it('refuses files that are not whole entries, of another version, before the segment or out of order', () => {
    const a = encodeAbortedTxn({ producerId: 1, firstOffset: 100, lastOffset: 110, lastStableOffset: 111 });
    const b = encodeAbortedTxn({ producerId: 2, firstOffset: 101, lastOffset: 105, lastStableOffset: 106 });
    expect(() => decodeTxnIndex(a.subarray(0, 33), 100)).toThrow(CorruptTxnIndexError);
    const v1 = Buffer.from(a);
    v1.writeInt16BE(1, 0);
    expect(() => decodeTxnIndex(v1, 100)).toThrow(/version 1/);
    expect(() => decodeTxnIndex(a, 200)).toThrow(/less than the start offset/);
    expect(() => decodeTxnIndex(Buffer.concat([a, b]), 100)).toThrow(CorruptTxnIndexError);
  });

  it('creates its file with the first entry, appends, truncates and resets', async () => {
    const env = await memoryEnv();
    const index = new TransactionIndex(env.fs, FILE, 100);
    expect(index.allAbortedTxns()).toEqual([]);
    expect(env.fs.exists(FILE)).toBe(false);
    expect(index.append({ producerId: 1, firstOffset: 90, lastOffset: 110, lastStableOffset: 90 })).toBe(true);
    expect(index.append({ producerId: 2, firstOffset: 112, lastOffset: 120, lastStableOffset: 121 })).toBe(false);
    expect(() => index.append({ producerId: 3, firstOffset: 100, lastOffset: 120, lastStableOffset: 121 })).toThrow(/increase/);
    expect(env.fs.readFile(FILE).length).toBe(68);
    await index.flush();
    const reread = new TransactionIndex(env.fs, FILE, 100);
    expect(reread.allAbortedTxns().map((t) => t.producerId)).toEqual([1, 2]);
    reread.truncateTo(115);
    expect(env.fs.readFile(FILE).length).toBe(34);
    reread.truncateTo(110);
    expect(reread.allAbortedTxns()).toEqual([]);
    reread.append({ producerId: 4, firstOffset: 100, lastOffset: 101, lastStableOffset: 102 });
    reread.reset();
    expect([reread.allAbortedTxns().length, env.fs.readFile(FILE).length]).toEqual([0, 0]);
  });

  it('collects the transactions overlapping a range and says when later segments need no search', async () => {
    const env = await memoryEnv();
    const index = new TransactionIndex(env.fs, FILE, 100);
    index.append({ producerId: 1, firstOffset: 90, lastOffset: 105, lastStableOffset: 90 });
    index.append({ producerId: 2, firstOffset: 100, lastOffset: 110, lastStableOffset: 111 });
    index.append({ producerId: 3, firstOffset: 115, lastOffset: 130, lastStableOffset: 131 });
    const ids = (r: ReturnType<TransactionIndex['collectAbortedTxns']>) => [r.abortedTransactions.map((t) => t.producerId), r.isComplete];
    expect(ids(index.collectAbortedTxns(100, 111))).toEqual([[1, 2], true]);
    expect(ids(index.collectAbortedTxns(106, 112))).toEqual([[2], true]);
    expect(ids(index.collectAbortedTxns(111, 200))).toEqual([[3], false]);
    expect(ids(index.collectAbortedTxns(131, 140))).toEqual([[], false]);
  });
});
