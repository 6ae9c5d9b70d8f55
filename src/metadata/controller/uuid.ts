import { ZERO_UUID } from '../../protocol/codec-runtime.js';
import type { Random } from '../../util/random.js';

/** The topic id of __cluster_metadata, Uuid(0, 1), which no other topic may take. */
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

/** Ids Kafka never hands out (Uuid.RESERVED). */
const RESERVED_UUIDS: ReadonlySet<string> = new Set([ZERO_UUID, METADATA_TOPIC_ID]);

/**
 * A random (version 4) UUID in Kafka's base64url form, as Uuid.randomUuid makes them: never a
 * reserved id, and never one whose text starts with '-', which command lines take for an option.
 */
export function randomUuid(random: Random): string {
  for (;;) {
    const bytes = Buffer.alloc(16);
    for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const uuid = bytes.toString('base64url');
    if (!RESERVED_UUIDS.has(uuid) && !uuid.startsWith('-')) return uuid;
  }
}

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
