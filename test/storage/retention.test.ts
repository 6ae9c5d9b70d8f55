import { describe, expect, it } from 'vitest';
import { logConfig, type LogConfig } from '../../src/storage/log-config.js';
import { decideRetention, type SegmentSummary } from '../../src/storage/retention.js';

const segments: SegmentSummary[] = [
  { baseOffset: 0, size: 100, largestTimestamp: 1_000 },
  { baseOffset: 10, size: 100, largestTimestamp: 2_000 },
  { baseOffset: 20, size: 100, largestTimestamp: 3_000 },
  { baseOffset: 30, size: 50, largestTimestamp: 4_000 },
];

function decide(config: Partial<LogConfig>, overrides: { now?: number; logStartOffset?: number; highWatermark?: number } = {}) {
  return decideRetention({
    segments,
    logStartOffset: overrides.logStartOffset ?? 0,
    logEndOffset: 40,
    highWatermark: overrides.highWatermark ?? 40,
    now: overrides.now ?? 10_000,
    config: logConfig(config),
  });
}

describe('decideRetention', () => {
  it('deletes nothing under the defaults while data is fresh', () => {
    expect(decide({})).toEqual({ count: 0, reason: null });
  });

  it('deletes segments older than retention.ms, oldest first', () => {
    expect(decide({ 'retention.ms': 7_500 })).toEqual({ count: 2, reason: 'retention.ms' });
    expect(decide({ 'retention.ms': -1 }).count).toBe(0);
  });

  it('deletes the oldest segments while the log exceeds retention.bytes', () => {
    expect(decide({ 'retention.bytes': 200 })).toEqual({ count: 1, reason: 'retention.bytes' });
    expect(decide({ 'retention.bytes': 0 })).toEqual({ count: 4, reason: 'retention.bytes' });
  });

  it('always deletes segments below the log start offset, even when compacted', () => {
    expect(decide({ 'cleanup.policy': ['compact'] }, { logStartOffset: 25 })).toEqual({ count: 2, reason: 'log-start-offset' });
    expect(decide({ 'cleanup.policy': ['compact'], 'retention.ms': 0 }).count).toBe(0);
  });

  it('never deletes data above the high watermark', () => {
    expect(decide({ 'retention.ms': 0 }, { highWatermark: 25 }).count).toBe(2);
  });

  it('keeps an empty last segment', () => {
    const withEmpty = [...segments, { baseOffset: 40, size: 0, largestTimestamp: 0 }];
    const decision = decideRetention({
      segments: withEmpty,
      logStartOffset: 0,
      logEndOffset: 40,
      highWatermark: 40,
      now: 10_000,
      config: logConfig({ 'retention.ms': 0 }),
    });
    expect(decision.count).toBe(4);
  });
});
