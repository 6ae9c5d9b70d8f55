import { describe, expect, it } from 'vitest';
import { LeaderEpochCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from '../../src/storage/leader-epoch-cache.js';

describe('LeaderEpochCache', () => {
  it('records the first offset of each new epoch', () => {
    const cache = new LeaderEpochCache();
    expect(cache.assign(1, 0)).toBe(true);
    expect(cache.assign(1, 5)).toBe(false);
    expect(cache.assign(3, 10)).toBe(true);
    expect(cache.assign(-1, 20)).toBe(false);
    expect(cache.entries).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
    ]);
    expect(cache.latestEpoch).toBe(3);
  });

  it('drops entries that a lower epoch or earlier offset contradicts', () => {
    const cache = new LeaderEpochCache([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
      { epoch: 4, startOffset: 20 },
    ]);
    cache.assign(2, 15);
    expect(cache.entries).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 15 },
    ]);
  });

  it('answers OffsetForLeaderEpoch as Kafka does', () => {
    const cache = new LeaderEpochCache([
      { epoch: 2, startOffset: 10 },
      { epoch: 4, startOffset: 30 },
    ]);
    expect(cache.endOffsetFor(4, 50)).toEqual({ epoch: 4, endOffset: 50 });
    expect(cache.endOffsetFor(3, 50)).toEqual({ epoch: 2, endOffset: 30 });
    expect(cache.endOffsetFor(2, 50)).toEqual({ epoch: 2, endOffset: 30 });
    expect(cache.endOffsetFor(1, 50)).toEqual({ epoch: 1, endOffset: 10 });
    expect(cache.endOffsetFor(5, 50)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET });
    expect(cache.endOffsetFor(UNDEFINED_EPOCH, 50)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET });
  });

  it('truncates from the end and from the start', () => {
    const cache = new LeaderEpochCache([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 10 },
      { epoch: 3, startOffset: 20 },
    ]);
    expect(cache.truncateFromEnd(20)).toBe(true);
    expect(cache.latestEpoch).toBe(2);
    expect(cache.truncateFromStart(15)).toBe(true);
    expect(cache.entries).toEqual([{ epoch: 2, startOffset: 15 }]);
    expect(cache.truncateFromStart(15)).toBe(false);
    expect(cache.truncateFromEnd(16)).toBe(false);
  });
});
