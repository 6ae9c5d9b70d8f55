import { TransactionLogKeyCodec, TransactionLogValueCodec } from '../../protocol/generated/records.js';
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import { transactionStateFromId } from './transaction-metadata.js';
import type { TxnRecord } from './txn-records.js';

/** The only key version: TransactionLogKey v0. */
export const TXN_LOG_KEY_VERSION = 0;
/**
 * The value version Kafka 3.9 writes: v0 (non-flexible). v1, the first flexible version, is
 * written only from transaction.version 1, which needs metadata version 4.0-IV2; Gregor reads it.
 */
export const TXN_LOG_VALUE_VERSION = 0;

/** The key and value bytes of a `__transaction_state` record: each an int16 version and the struct. */
export function encodeTxnRecord(record: TxnRecord): { key: Buffer; value: Buffer | null } {
  const key = new Writer(32 + record.key.transactionalId.length * 3);
  key.writeInt16(TXN_LOG_KEY_VERSION);
  TransactionLogKeyCodec.encode(key, TXN_LOG_KEY_VERSION, record.key);
  if (record.value === null) return { key: key.finishToBuffer(), value: null };
  const value = new Writer(128);
  value.writeInt16(TXN_LOG_VALUE_VERSION);
  TransactionLogValueCodec.encode(value, TXN_LOG_VALUE_VERSION, record.value);
  return { key: key.finishToBuffer(), value: value.finishToBuffer() };
}

/**
 * Decodes a record read back from the partition. A key of an unknown version comes back as null
 * and is skipped, as Kafka's loader skips it (a leftover of an aborted upgrade); a value of an
 * unknown version, an unknown state id or malformed bytes raise DecodeError.
 */
export function decodeTxnRecord(keyBytes: Buffer, valueBytes: Buffer | null): TxnRecord | null {
  const keyReader = new Reader(keyBytes);
  const keyVersion = keyReader.readInt16();
  if (keyVersion < TransactionLogKeyCodec.minVersion || keyVersion > TransactionLogKeyCodec.maxVersion) return null;
  const key = TransactionLogKeyCodec.decode(keyReader, keyVersion);
  if (valueBytes === null) return { key, value: null };
  const valueReader = new Reader(valueBytes);
  const valueVersion = valueReader.readInt16();
  if (valueVersion < TransactionLogValueCodec.minVersion || valueVersion > TransactionLogValueCodec.maxVersion) {
    valueReader.fail(`TransactionLogValue version ${valueVersion} outside ${TransactionLogValueCodec.minVersion}-${TransactionLogValueCodec.maxVersion}`);
  }
  const value = TransactionLogValueCodec.decode(valueReader, valueVersion);
  if (transactionStateFromId(value.transactionStatus) === undefined) valueReader.fail(`unknown transaction state id ${value.transactionStatus}`);
  return { key, value };
}
