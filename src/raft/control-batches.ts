import {
  createLeaderChangeMessage,
  createLeaderChangeMessageVoter,
  encodeLeaderChangeMessage,
} from '../protocol/generated/clients/leader-change-message.js';
import { createSnapshotFooterRecord, encodeSnapshotFooterRecord } from '../protocol/generated/clients/snapshot-footer-record.js';
import {
  type SnapshotHeaderRecord,
  createSnapshotHeaderRecord,
  decodeSnapshotHeaderRecord,
  encodeSnapshotHeaderRecord,
} from '../protocol/generated/clients/snapshot-header-record.js';
import { Reader } from '../protocol/reader.js';
import { buildRecordBatch } from '../protocol/records/batch-builder.js';
import { ControlRecordType, encodeControlRecordKey } from '../protocol/records/control-record.js';
import { Writer } from '../protocol/writer.js';

/** The versions Kafka 3.9 writes (ControlRecordUtils.*_CURRENT_VERSION). */
const LEADER_CHANGE_VERSION = 0;
const SNAPSHOT_HEADER_VERSION = 0;
const SNAPSHOT_FOOTER_VERSION = 0;

function controlBatch(type: ControlRecordType, value: Buffer, epoch: number, timestamp: number, baseOffset: number): Buffer {
  return buildRecordBatch({
    records: [{ key: encodeControlRecordKey(type), value, timestamp }],
    baseOffset,
    partitionLeaderEpoch: epoch,
    isControl: true,
  });
}

function serialize(encode: (w: Writer) => void): Buffer {
  const w = new Writer(256);
  encode(w);
  return w.finishToBuffer();
}

/** The control batch a new leader writes first in its epoch: who leads, and who voted for it. */
export function buildLeaderChangeBatch(leaderId: number, voters: readonly number[], epoch: number, timestamp: number): Buffer {
  const toVoters = () => voters.map((voterId) => createLeaderChangeMessageVoter({ voterId }));
  const message = createLeaderChangeMessage({ version: LEADER_CHANGE_VERSION, leaderId, voters: toVoters(), grantingVoters: toVoters() });
  const value = serialize((w) => encodeLeaderChangeMessage(w, LEADER_CHANGE_VERSION, message));
  return controlBatch(ControlRecordType.LeaderChange, value, epoch, timestamp, 0);
}

/** The first batch of a snapshot file, at offset 0. */
export function buildSnapshotHeaderBatch(epoch: number, lastContainedLogTimestamp: number, timestamp: number): Buffer {
  const header = createSnapshotHeaderRecord({ version: SNAPSHOT_HEADER_VERSION, lastContainedLogTimestamp });
  const value = serialize((w) => encodeSnapshotHeaderRecord(w, SNAPSHOT_HEADER_VERSION, header));
  return controlBatch(ControlRecordType.SnapshotHeader, value, epoch, timestamp, 0);
}

/** The last batch of a snapshot file. */
export function buildSnapshotFooterBatch(epoch: number, timestamp: number, baseOffset: number): Buffer {
  const footer = createSnapshotFooterRecord({ version: SNAPSHOT_FOOTER_VERSION });
  const value = serialize((w) => encodeSnapshotFooterRecord(w, SNAPSHOT_FOOTER_VERSION, footer));
  return controlBatch(ControlRecordType.SnapshotFooter, value, epoch, timestamp, baseOffset);
}

/** Decodes the value of a snapshot's SnapshotHeaderRecord. */
export function readSnapshotHeader(value: Buffer): SnapshotHeaderRecord {
  return decodeSnapshotHeaderRecord(new Reader(value), SNAPSHOT_HEADER_VERSION);
}
