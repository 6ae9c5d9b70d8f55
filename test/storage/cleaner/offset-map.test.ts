import { describe, expect, it } from 'vitest';
import { OffsetMap } from '../../../src/storage/cleaner/offset-map.js';

describe('OffsetMap', () => {
  it('remembers the last offset of each key and the largest offset put', () => {
    const map = new OffsetMap(10);
    map.put(Buffer.from('a'), 3);
    map.put(Buffer.from('b'), 4);
    map.put(Buffer.from('a'), 7);
    expect(map.get(Buffer.from('a'))).toBe(7);
    expect(map.get(Buffer.from('b'))).toBe(4);
    expect(map.get(Buffer.from('c'))).toBe(-1);
    expect(map.latestOffset).toBe(7);
    expect(map.size).toBe(2);
  });

  it('tells binary keys apart exactly', () => {
    const map = new OffsetMap(10);
    map.put(Buffer.from([0xff, 0x00]), 1);
    map.put(Buffer.from([0xff]), 2);
    expect(map.get(Buffer.from([0xff, 0x00]))).toBe(1);
  });

  it('sizes its capacity as Kafka sizes the dedupe buffer', () => {
    expect(OffsetMap.forBufferSize(128 * 1024 * 1024).capacity).toBe(5_592_405);
    const map = new OffsetMap(2);
    map.put(Buffer.from('a'), 0);
    expect(map.wouldOverflow(1)).toBe(false);
    expect(map.wouldOverflow(2)).toBe(true);
  });
});
