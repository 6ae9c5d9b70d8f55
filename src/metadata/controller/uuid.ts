import { ZERO_UUID } from '../../protocol/codec-runtime.js';

/** The topic id of __cluster_metadata, Uuid(0, 1), which no other topic may take. */
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

/** Kafka's DirectoryId sentinels: the log directory of a replica when no real one is known. */
export const DirectoryId = {
  /** Uuid(0, 0): the broker registered no directories (it predates directory assignment). */
  MIGRATING: ZERO_UUID,
  /** Uuid(0, 1): the broker has several directories and has not yet said which one hosts the replica. */
  UNASSIGNED: 'AAAAAAAAAAAAAAAAAAAAAQ',
  /** Uuid(0, 2): the directory went offline. */
  LOST: 'AAAAAAAAAAAAAAAAAAAAAg',
} as const;

/** Kafka's DirectoryId.reserved: the first 100 ids (most significant half 0, signed least significant half < 100). */
export function isReservedDirectoryId(id: string): boolean {
  const bytes = Buffer.from(id, 'base64url');
  return bytes.length === 16 && bytes.readBigInt64BE(0) === 0n && bytes.readBigInt64BE(8) < 100n;
}
