import { hasDeletePolicy, type LogConfig } from './log-config.js';

export interface SegmentSummary {
  readonly baseOffset: number;
  readonly size: number;
  /** Largest batch timestamp, or the last modification time when the segment has none. */
  readonly largestTimestamp: number;
}

export interface RetentionInput {
  readonly segments: readonly SegmentSummary[];
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly now: number;
  readonly config: LogConfig;
}

export type RetentionReason = 'log-start-offset' | 'retention.ms' | 'retention.bytes';

export interface RetentionDecision {
  /** How many of the oldest segments to delete. */
  readonly count: number;
  readonly reason: RetentionReason | null;
}

/**
 * Kafka's retention rules (UnifiedLog.deleteOldSegments): segments wholly below the log start
 * offset always go; with the delete policy, so do segments older than retention.ms and the
 * oldest segments while the log exceeds retention.bytes. Only a prefix of the log is deleted,
 * never data above the high watermark, and never a last segment that is empty.
 */
export function decideRetention(input: RetentionInput): RetentionDecision {
  const { config, now } = input;
  let best: RetentionDecision = { count: 0, reason: null };
  const consider = (reason: RetentionReason, breached: (i: number) => boolean): void => {
    const count = deletablePrefix(input, breached);
    if (count > best.count) best = { count, reason };
  };
  consider('log-start-offset', (i) => i + 1 < input.segments.length && input.segments[i + 1].baseOffset <= input.logStartOffset);
  if (hasDeletePolicy(config)) {
    const retentionMs = config['retention.ms'];
    if (retentionMs >= 0) consider('retention.ms', (i) => now - input.segments[i].largestTimestamp > retentionMs);
    const retentionBytes = config['retention.bytes'];
    if (retentionBytes >= 0) {
      let excess = input.segments.reduce((sum, s) => sum + s.size, 0) - retentionBytes;
      consider('retention.bytes', (i) => {
        if (excess - input.segments[i].size < 0) return false;
        excess -= input.segments[i].size;
        return true;
      });
    }
  }
  return best;
}

function deletablePrefix(input: RetentionInput, breached: (i: number) => boolean): number {
  const { segments } = input;
  let count = 0;
  for (let i = 0; i < segments.length; i++) {
    const next = segments[i + 1];
    const lastAndEmpty = next === undefined && segments[i].size === 0;
    const upperOffset = next === undefined ? input.logEndOffset : next.baseOffset;
    if (lastAndEmpty || input.highWatermark < upperOffset || !breached(i)) break;
    count++;
  }
  return count;
}
