import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../../src/protocol/codec-runtime.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { SeededRandom } from '../../../src/util/random.js';
import { apiErrorWithDefaultMessage, thrownApiError } from '../../../src/metadata/controller/api-error.js';
import { collisionKey, invalidTopicNameMessage, isInternalTopic } from '../../../src/metadata/controller/topic-names.js';
import { DirectoryId, METADATA_TOPIC_ID, isReservedDirectoryId } from '../../../src/metadata/controller/uuid.js';
import { randomUuid } from '../../../src/util/uuid.js';

/** A Random whose first integers are given, then a seeded stream. */
class Scripted extends SeededRandom {
  constructor(private readonly first: number[]) {
    super(1);
  }

  override int(bound: number): number {
    return this.first.shift() ?? super.int(bound);
  }
}

describe('topic names', () => {
  it('accepts ASCII alphanumerics, ".", "_" and "-" up to 249 characters', () => {
    for (const name of ['orders', 'a.b_c-D9', '-', '...', 'x'.repeat(249)]) expect(invalidTopicNameMessage(name)).toBeNull();
    for (const name of ['', '.', '..', 'x'.repeat(250), 'a/b', 'a:b', 'ñ', 'tab\t']) expect(invalidTopicNameMessage(name)).toMatch(/^Topic name is invalid: /);
  });

  it('collides names that differ only in "." and "_"', () => {
    expect(collisionKey('a.b_c')).toBe(collisionKey('a_b.c'));
    expect(collisionKey('abc')).toBeNull();
  });

  it('knows Kafka\'s internal topics', () => {
    expect(['__consumer_offsets', '__transaction_state', '__share_group_state'].map(isInternalTopic)).toEqual([true, true, true]);
    expect(isInternalTopic('__cluster_metadata')).toBe(false);
  });
});

describe('uuids', () => {
  it('are version 4 UUIDs in 22 base64url characters', () => {
    const random = new SeededRandom(9);
    for (let i = 0; i < 100; i++) {
      const id = randomUuid(random);
      expect(id).toHaveLength(22);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
      expect(id.startsWith('-')).toBe(false);
    }
  });

  it('draw again rather than start with "-"', () => {
    const dashFirst = [0xfb, ...Array<number>(15).fill(0)];
    const id = randomUuid(new Scripted(dashFirst));
    expect(id.startsWith('-')).toBe(false);
    expect(id).not.toBe(Buffer.from([0xfb, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 0]).toString('base64url'));
  });

  it('name the reserved ids as Kafka does', () => {
    expect(METADATA_TOPIC_ID).toBe(Buffer.from([...Array<number>(15).fill(0), 1]).toString('base64url'));
    expect([DirectoryId.MIGRATING, DirectoryId.UNASSIGNED, DirectoryId.LOST]).toEqual([ZERO_UUID, 'AAAAAAAAAAAAAAAAAAAAAQ', 'AAAAAAAAAAAAAAAAAAAAAg']);
    expect(isReservedDirectoryId(Buffer.from([...Array<number>(15).fill(0), 99]).toString('base64url'))).toBe(true);
    expect(isReservedDirectoryId(Buffer.from([...Array<number>(15).fill(0), 100]).toString('base64url'))).toBe(false);
    expect(isReservedDirectoryId(Buffer.from([...Array<number>(8).fill(0), 0x80, ...Array<number>(7).fill(0)]).toString('base64url'))).toBe(true);
    expect(isReservedDirectoryId(randomUuid(new SeededRandom(2)))).toBe(false);
  });
});

describe('api errors', () => {
  it('carry the generic message only where Kafka sends it', () => {
    expect(apiErrorWithDefaultMessage(ErrorCode.UNKNOWN_TOPIC_ID)).toEqual({ errorCode: 100, errorMessage: 'This server does not host this topic ID.' });
    expect(thrownApiError(ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.').errorMessage).toBeNull();
    expect(thrownApiError(ErrorCode.INVALID_PARTITIONS, 'Topic already has 1 partition(s).').errorMessage).toBe('Topic already has 1 partition(s).');
    expect(thrownApiError(ErrorCode.UNKNOWN_SERVER_ERROR, 'internal detail').errorMessage).toBeNull();
  });
});
