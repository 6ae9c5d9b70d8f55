import { describe, expect, it } from 'vitest';
import { cleanableRange, needsCleaning, type CleanableState } from '../../../src/storage/cleaner/cleanable-range.js';
import { logConfig } from '../../../src/storage/log-config.js';

const NOW = 100_000;

function state(overrides: Partial<CleanableState> = {}): CleanableState {
  return {
    segments: [
      { baseOffset: 0, size: 100, largestTimestamp: 1_000, firstBatchTimestamp: 500 },
      { baseOffset: 10, size: 100, largestTimestamp: 2_000, firstBatchTimestamp: 1_500 },
      { baseOffset: 20, size: 100, largestTimestamp: 3_000, firstBatchTimestamp: 2_500 },
      { baseOffset: 30, size: 40, largestTimestamp: 4_000, firstBatchTimestamp: 3_500 },
    ],
    logStartOffset: 0,
    logEndOffset: 35,
    highWatermark: 35,
    recoveryPoint: 35,
    checkpointedDirtyOffset: undefined,
    config: logConfig({ 'cleanup.policy': ['compact'] }),
    now: NOW,
    ...overrides,
  };
}

describe('cleanableRange', () => {
  it('treats a never-cleaned log as dirty from its start up to the active segment', () => {
    const range = cleanableRange(state());
    expect(range).toMatchObject({ firstDirtyOffset: 0, firstUncleanableOffset: 30, cleanBytes: 0, dirtyBytes: 300, dirtyRatio: 1 });
    expect(needsCleaning(range, logConfig())).toBe(true);
  });

  it('measures the dirty ratio from the checkpoint', () => {
    const range = cleanableRange(state({ checkpointedDirtyOffset: 20 }));
    expect(range).toMatchObject({ firstDirtyOffset: 20, cleanBytes: 200, dirtyBytes: 100 });
    expect(range.dirtyRatio).toBeCloseTo(1 / 3);
    expect(needsCleaning(range, logConfig({ 'min.cleanable.dirty.ratio': 0.5 }))).toBe(false);
    expect(needsCleaning(range, logConfig({ 'min.cleanable.dirty.ratio': 0.3 }))).toBe(true);
  });

  it('ignores a checkpoint outside the log', () => {
    expect(cleanableRange(state({ checkpointedDirtyOffset: 99 })).firstDirtyOffset).toBe(0);
    expect(cleanableRange(state({ logStartOffset: 10, checkpointedDirtyOffset: 5 })).firstDirtyOffset).toBe(10);
  });

  it('stays below the segments holding the high watermark and the recovery point', () => {
    expect(cleanableRange(state({ highWatermark: 25 })).firstUncleanableOffset).toBe(20);
    expect(cleanableRange(state({ recoveryPoint: 10 })).firstUncleanableOffset).toBe(10);
  });

  it('leaves segments younger than min.compaction.lag.ms alone', () => {
    const config = logConfig({ 'min.compaction.lag.ms': NOW - 1_500 });
    expect(cleanableRange(state({ config })).firstUncleanableOffset).toBe(10);
  });

  it('cleans past the dirty ratio once max.compaction.lag.ms has passed', () => {
    const config = logConfig({ 'min.cleanable.dirty.ratio': 0.9, 'max.compaction.lag.ms': 50_000 });
    const range = cleanableRange(state({ config, checkpointedDirtyOffset: 20 }));
    expect(range.pastMaxCompactionLag).toBe(true);
    expect(needsCleaning(range, config)).toBe(true);
    expect(cleanableRange(state({ config: logConfig(), checkpointedDirtyOffset: 20 })).pastMaxCompactionLag).toBe(false);
  });

  it('finds nothing to clean when everything below the active segment is clean', () => {
    const range = cleanableRange(state({ checkpointedDirtyOffset: 30 }));
    expect(range.dirtyBytes).toBe(0);
    expect(needsCleaning(range, logConfig({ 'min.cleanable.dirty.ratio': 0 }))).toBe(false);
  });
});
