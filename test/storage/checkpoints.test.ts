import { describe, expect, it } from 'vitest';
import {
  formatEpochCheckpoint,
  formatOffsetCheckpoint,
  MalformedCheckpointError,
  parseEpochCheckpoint,
  parseOffsetCheckpoint,
} from '../../src/storage/checkpoint-file.js';
import {
  offsetFileName,
  parsePartitionDirName,
  parseSegmentFileName,
  partitionDirName,
} from '../../src/storage/file-names.js';
import { formatMetaProperties, parseMetaProperties } from '../../src/storage/meta-properties.js';
import { formatPartitionMetadata, parsePartitionMetadata } from '../../src/storage/partition-metadata.js';

describe('checkpoint files', () => {
  it('writes offset checkpoints in Kafka format and reads them back', () => {
    const bytes = formatOffsetCheckpoint([
      { topic: 'orders', partition: 0, offset: 42 },
      { topic: 'my-topic.v2', partition: 11, offset: 9007199254740991 },
    ]);
    expect(bytes.toString()).toBe('0\n2\norders 0 42\nmy-topic.v2 11 9007199254740991\n');
    expect(parseOffsetCheckpoint(bytes, 'x')).toEqual([
      { topic: 'orders', partition: 0, offset: 42 },
      { topic: 'my-topic.v2', partition: 11, offset: 9007199254740991 },
    ]);
  });

  it('writes the leader epoch checkpoint in Kafka format', () => {
    const bytes = formatEpochCheckpoint([
      { epoch: 0, startOffset: 0 },
      { epoch: 3, startOffset: 120 },
    ]);
    expect(bytes.toString()).toBe('0\n2\n0 0\n3 120\n');
    expect(parseEpochCheckpoint(bytes, 'x')).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 3, startOffset: 120 },
    ]);
  });

  it.each([
    ['', 'empty'],
    ['1\n0\n', 'unknown version'],
    ['0\n2\na 0 1\n', 'count mismatch'],
    ['0\n1\na 0\n', 'missing field'],
    ['0\n1\na 0 x\n', 'bad number'],
    ['0\n1\na 0 99999999999999999999\n', 'unsafe number'],
  ])('rejects a malformed checkpoint (%j: %s)', (text) => {
    expect(() => parseOffsetCheckpoint(Buffer.from(text), 'x')).toThrow(MalformedCheckpointError);
  });
});

describe('file names', () => {
  it('names segment files by their 20-digit base offset', () => {
    expect(offsetFileName(0, '.log')).toBe('00000000000000000000.log');
    expect(offsetFileName(1234, '.timeindex')).toBe('00000000000000001234.timeindex');
    expect(parseSegmentFileName('00000000000000001234.index.swap')).toEqual({ baseOffset: 1234, suffix: '.index.swap' });
    expect(parseSegmentFileName('leader-epoch-checkpoint')).toBeNull();
    expect(parseSegmentFileName('1234.log')).toBeNull();
  });

  it('parses partition directories whose topic contains dashes', () => {
    expect(partitionDirName({ topic: 'a-b', partition: 3 })).toBe('a-b-3');
    expect(parsePartitionDirName('a-b-3')).toEqual({ topic: 'a-b', partition: 3 });
    expect(parsePartitionDirName('a-b-3.0f1e-delete')).toBeNull();
    expect(parsePartitionDirName('meta.properties')).toBeNull();
  });
});

describe('metadata files', () => {
  it('round-trips partition.metadata', () => {
    const bytes = formatPartitionMetadata('AAAAAAAAAAAAAAAAAAAAAQ');
    expect(bytes.toString()).toBe('version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAQ\n');
    expect(parsePartitionMetadata(bytes)).toBe('AAAAAAAAAAAAAAAAAAAAAQ');
    expect(parsePartitionMetadata(Buffer.from('version: 1\ntopic_id: x\n'))).toBeNull();
  });

  it('round-trips meta.properties and names what is wrong with a bad one', () => {
    const meta = { clusterId: 'c1', nodeId: 3, directoryId: 'd1' };
    expect(parseMetaProperties(formatMetaProperties(meta))).toEqual(meta);
    expect(parseMetaProperties(Buffer.from('version=0\n'))).toMatch(/version/);
    expect(parseMetaProperties(Buffer.from('version=1\nnode.id=1\n'))).toMatch(/cluster.id/);
  });
});
