import type { MetadataRecord } from '../../protocol/generated/records.js';
import { RECORD_VERSION } from './metadata-version.js';

type RecordType = MetadataRecord['type'];
type RecordData<T extends RecordType> = Extract<MetadataRecord, { type: T }>['data'];

/** A metadata record of `type` at the version metadata.version 3.9-IV0 writes, unless told otherwise. */
export function metadataRecord<T extends RecordType>(type: T, data: RecordData<T>, version?: number): MetadataRecord {
  const written = version ?? RECORD_VERSION[type];
  if (written === undefined) throw new Error(`the controller does not write metadata records of type ${type}`);
  return { type, version: written, data } as MetadataRecord;
}

/**
 * What a controller decision returns: the answer for the caller and the records to append. The
 * records of one result are one atomic batch; nothing is applied until the caller appends them
 * and replays them onto the image.
 */
export interface ControllerResult<T> {
  readonly response: T;
  readonly records: readonly MetadataRecord[];
}

/** The most records one user operation may produce (QuorumController.MAX_RECORDS_PER_USER_OP). */
export const MAX_RECORDS_PER_USER_OP = 10_000;
