import { DecodeError } from '../decode-error.js';
import { buildRecordBatch } from './batch-builder.js';

/** The type in a control record's key. Kafka's readers treat unknown types as UNKNOWN, not errors. */
export const enum ControlRecordType {
  Abort = 0,
  Commit = 1,
  LeaderChange = 2,
  SnapshotHeader = 3,
  SnapshotFooter = 4,
  KRaftVersion = 5,
  KRaftVoters = 6,
}

const CONTROL_KEY_VERSION = 0;
const CONTROL_KEY_SIZE = 4;
const END_TXN_MARKER_VERSION = 0;
const END_TXN_MARKER_SIZE = 6;

/** Key of every control record: int16 version, int16 type. Newer versions may append fields. */
export interface ControlRecordKey {
  version: number;
  type: number;
}

/** Value of an ABORT or COMMIT control record: int16 version, int32 coordinator epoch. */
export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

export function readControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < CONTROL_KEY_SIZE) {
    throw new DecodeError(`control record key of ${sizeOf(key)} bytes, need ${CONTROL_KEY_SIZE}`, 0);
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new DecodeError(`negative control record key version ${version}`, 0);
  return { version, type: key.readInt16BE(2) };
}

export function encodeControlRecordKey(type: ControlRecordType): Buffer {
  const key = Buffer.allocUnsafe(CONTROL_KEY_SIZE);
  key.writeInt16BE(CONTROL_KEY_VERSION, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function readEndTxnMarker(value: Buffer | null): EndTxnMarker {
  if (value === null || value.length < END_TXN_MARKER_SIZE) {
    throw new DecodeError(`end-transaction marker of ${sizeOf(value)} bytes, need ${END_TXN_MARKER_SIZE}`, 0);
  }
  const version = value.readInt16BE(0);
  if (version < 0) throw new DecodeError(`negative end-transaction marker version ${version}`, 0);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

function sizeOf(bytes: Buffer | null): number | 'null' {
  return bytes === null ? 'null' : bytes.length;
}

export function encodeEndTxnMarker(coordinatorEpoch: number): Buffer {
  const value = Buffer.allocUnsafe(END_TXN_MARKER_SIZE);
  value.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

export interface TxnMarkerBatchSpec {
  type: ControlRecordType.Abort | ControlRecordType.Commit;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  timestamp: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
}

/** The one-record transactional control batch that commits or aborts a producer's transaction. */
export function buildTxnMarkerBatch(spec: TxnMarkerBatchSpec): Buffer {
  return buildRecordBatch({
    records: [
      {
        key: encodeControlRecordKey(spec.type),
        value: encodeEndTxnMarker(spec.coordinatorEpoch),
        timestamp: spec.timestamp,
      },
    ],
    baseOffset: spec.baseOffset,
    partitionLeaderEpoch: spec.partitionLeaderEpoch,
    producerId: spec.producerId,
    producerEpoch: spec.producerEpoch,
    isTransactional: true,
    isControl: true,
  });
}
