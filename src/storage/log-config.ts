/** Kafka represents "never" for flush and compaction-lag settings as Long.MAX_VALUE; int64 values here are JS numbers, so the largest safe integer stands in for it. */
export const NEVER = Number.MAX_SAFE_INTEGER;

export type CleanupPolicy = 'delete' | 'compact';
export type TimestampType = 'CreateTime' | 'LogAppendTime';

/**
 * Per-topic log settings under Kafka's property names, with Kafka 3.9's defaults. A plain typed
 * object: values are validated where configs are parsed, not here.
 */
export interface LogConfig {
  readonly 'cleanup.policy': readonly CleanupPolicy[];
  readonly 'segment.bytes': number;
  readonly 'segment.ms': number;
  readonly 'segment.index.bytes': number;
  readonly 'index.interval.bytes': number;
  readonly 'retention.ms': number;
  readonly 'retention.bytes': number;
  readonly 'delete.retention.ms': number;
  readonly 'min.cleanable.dirty.ratio': number;
  readonly 'min.compaction.lag.ms': number;
  readonly 'max.compaction.lag.ms': number;
  readonly 'file.delete.delay.ms': number;
  readonly 'flush.messages': number;
  readonly 'flush.ms': number;
  readonly 'message.timestamp.type': TimestampType;
  readonly 'message.timestamp.before.max.ms': number;
  readonly 'message.timestamp.after.max.ms': number;
  readonly 'max.message.bytes': number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_LOG_CONFIG: LogConfig = Object.freeze({
  'cleanup.policy': Object.freeze(['delete'] as CleanupPolicy[]),
  'segment.bytes': 1024 * 1024 * 1024,
  'segment.ms': 7 * DAY_MS,
  'segment.index.bytes': 10 * 1024 * 1024,
  'index.interval.bytes': 4096,
  'retention.ms': 7 * DAY_MS,
  'retention.bytes': -1,
  'delete.retention.ms': DAY_MS,
  'min.cleanable.dirty.ratio': 0.5,
  'min.compaction.lag.ms': 0,
  'max.compaction.lag.ms': NEVER,
  'file.delete.delay.ms': 60_000,
  'flush.messages': NEVER,
  'flush.ms': NEVER,
  'message.timestamp.type': 'CreateTime',
  'message.timestamp.before.max.ms': NEVER,
  'message.timestamp.after.max.ms': NEVER,
  'max.message.bytes': 1024 * 1024 + 12,
});

export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

export function isCompacted(config: LogConfig): boolean {
  return config['cleanup.policy'].includes('compact');
}

export function hasDeletePolicy(config: LogConfig): boolean {
  return config['cleanup.policy'].includes('delete');
}

/** Broker-wide storage settings (Kafka's `log.*` server properties that are not per topic). */
export interface LogManagerConfig {
  readonly 'log.dirs': readonly string[];
  readonly 'log.retention.check.interval.ms': number;
  readonly 'log.flush.scheduler.interval.ms': number;
  readonly 'log.flush.offset.checkpoint.interval.ms': number;
  readonly 'log.flush.start.offset.checkpoint.interval.ms': number;
  readonly 'log.cleaner.enable': boolean;
  readonly 'log.cleaner.backoff.ms': number;
  readonly 'log.cleaner.dedupe.buffer.size': number;
  /** How long a partition keeps the state of a producer id it has not heard from. */
  readonly 'producer.id.expiration.ms': number;
  /** How often partitions look for expired producer ids. */
  readonly 'producer.id.expiration.check.interval.ms': number;
}

export const DEFAULT_LOG_MANAGER_CONFIG: Omit<LogManagerConfig, 'log.dirs'> = Object.freeze({
  'log.retention.check.interval.ms': 5 * 60 * 1000,
  'log.flush.scheduler.interval.ms': NEVER,
  'log.flush.offset.checkpoint.interval.ms': 60_000,
  'log.flush.start.offset.checkpoint.interval.ms': 60_000,
  'log.cleaner.enable': true,
  'log.cleaner.backoff.ms': 15_000,
  'log.cleaner.dedupe.buffer.size': 128 * 1024 * 1024,
  'producer.id.expiration.ms': DAY_MS,
  'producer.id.expiration.check.interval.ms': 600_000,
});
