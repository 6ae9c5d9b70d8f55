import { describe, expect, it } from 'vitest';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../src/metadata/record-serde.js';
import { DecodeError } from '../../src/protocol/decode-error.js';
import { createTopicRecord } from '../../src/protocol/generated/metadata/topic-record.js';
import { MetadataRecordType } from '../../src/protocol/generated/records.js';

describe('metadata record serde', () => {
  const record = { type: MetadataRecordType.TopicRecord, version: 0, data: createTopicRecord({ name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }) } as const;

  it('frames a record as frame version, type and version varints before the record', () => {
    const bytes = encodeMetadataRecord(record);
    // frame version 1, type 2 (TopicRecord), version 0, compact string "orders", 16-byte uuid, no tagged fields
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([1, 2, 0, 7]));
    expect(bytes.subarray(4, 10).toString()).toBe('orders');
    expect(bytes.length).toBe(4 + 6 + 16 + 1);
    expect(decodeMetadataRecord(bytes)).toEqual(record);
  });

  it('rejects unknown frame versions, record types, versions and trailing bytes', () => {
    const bytes = encodeMetadataRecord(record);
    const patched = (at: number, value: number): Buffer => {
      const copy = Buffer.from(bytes);
      copy[at] = value;
      return copy;
    };
    expect(() => decodeMetadataRecord(patched(0, 2))).toThrow(/frame version 2/);
    expect(() => decodeMetadataRecord(patched(1, 99))).toThrow(/unknown metadata record type 99/);
    expect(() => decodeMetadataRecord(patched(2, 5))).toThrow(/TopicRecord version 5/);
    expect(() => decodeMetadataRecord(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(DecodeError);
    expect(() => decodeMetadataRecord(bytes.subarray(0, 8))).toThrow(DecodeError);
  });
});
