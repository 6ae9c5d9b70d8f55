import { DEFAULT_LOG_CONFIG } from '../storage/log-config.js';
import { CLEANUP_POLICIES, COMPRESSION_TYPES, TIMESTAMP_TYPES } from './broker-properties.js';
import { THROTTLED_REPLICAS } from './endpoints.js';
import type { ConfigOf, TopicPropertyDefinition } from './property.js';
import { atLeast, between, listOf, oneOf } from './validators.js';

/**
 * Every topic config Gregor implements, with the broker property each inherits from. Defaults
 * are Kafka's (DEFAULT_LOG_CONFIG for the storage settings); a topic without an override takes
 * its broker's value, so these defaults show only where no broker property stands behind them.
 */
export const TOPIC_PROPERTIES = [
  {
    name: 'cleanup.policy', type: 'list', default: DEFAULT_LOG_CONFIG['cleanup.policy'], validator: listOf(CLEANUP_POLICIES),
    brokerSynonym: 'log.cleanup.policy', importance: 'medium',
    doc: 'What happens to old data: delete removes segments past retention, compact keeps the latest record of each key; both may be listed.',
  },
  {
    name: 'compression.type', type: 'string', default: 'producer', validator: oneOf(COMPRESSION_TYPES), brokerSynonym: 'compression.type',
    importance: 'medium',
    doc: 'How stored batches are compressed: a codec name recompresses to that codec, uncompressed stores them plain, producer keeps what the producer sent.',
  },
  {
    name: 'delete.retention.ms', type: 'long', default: DEFAULT_LOG_CONFIG['delete.retention.ms'], validator: atLeast(0),
    brokerSynonym: 'log.cleaner.delete.retention.ms', importance: 'medium',
    doc: 'How long tombstones stay in a compacted topic, so that consumers get to see the deletion.',
  },
  {
    name: 'file.delete.delay.ms', type: 'long', default: DEFAULT_LOG_CONFIG['file.delete.delay.ms'], validator: atLeast(0),
    brokerSynonym: 'log.segment.delete.delay.ms', importance: 'medium',
    doc: 'How long the files of a segment removed from the log wait before they are deleted.',
  },
  {
    name: 'flush.messages', type: 'long', default: DEFAULT_LOG_CONFIG['flush.messages'], validator: atLeast(1),
    brokerSynonym: 'log.flush.interval.messages', importance: 'medium',
    doc: 'How many records a partition takes before it is forced to disk.',
  },
  {
    name: 'flush.ms', type: 'long', default: DEFAULT_LOG_CONFIG['flush.ms'], validator: atLeast(0), brokerSynonym: 'log.flush.interval.ms',
    importance: 'medium',
    doc: 'The longest a record may wait in a partition before it is forced to disk.',
  },
  {
    name: 'follower.replication.throttled.replicas', type: 'list', default: [], validator: THROTTLED_REPLICAS, importance: 'medium',
    doc: 'The replicas (partition:broker, or * for all) whose fetching as followers is throttled.',
  },
  {
    name: 'index.interval.bytes', type: 'int', default: DEFAULT_LOG_CONFIG['index.interval.bytes'], validator: atLeast(0),
    brokerSynonym: 'log.index.interval.bytes', importance: 'medium',
    doc: 'How many bytes of batches lie between two entries of the offset index.',
  },
  {
    name: 'leader.replication.throttled.replicas', type: 'list', default: [], validator: THROTTLED_REPLICAS, importance: 'medium',
    doc: 'The replicas (partition:broker, or * for all) whose serving of followers as leaders is throttled.',
  },
  {
    name: 'max.compaction.lag.ms', type: 'long', default: DEFAULT_LOG_CONFIG['max.compaction.lag.ms'], validator: atLeast(1),
    brokerSynonym: 'log.cleaner.max.compaction.lag.ms', importance: 'medium',
    doc: 'How old an uncompacted record may grow before the topic is compacted whatever its dirty ratio.',
  },
  {
    name: 'max.message.bytes', type: 'int', default: DEFAULT_LOG_CONFIG['max.message.bytes'], validator: atLeast(0),
    brokerSynonym: 'message.max.bytes',
    importance: 'medium',
    doc: 'The largest record batch, after compression, that the topic accepts.',
  },
  {
    name: 'message.downconversion.enable', type: 'boolean', default: true, brokerSynonym: 'log.message.downconversion.enable',
    importance: 'low',
    doc: 'Whether consumers that only read old message formats get converted batches; when false their fetches fail with UNSUPPORTED_VERSION.',
  },
  {
    name: 'message.timestamp.after.max.ms', type: 'long', default: DEFAULT_LOG_CONFIG['message.timestamp.after.max.ms'],
    validator: atLeast(0),
    brokerSynonym: 'log.message.timestamp.after.max.ms', importance: 'medium',
    doc: "How far ahead of the broker's clock a CreateTime timestamp may be before the produce is refused.",
  },
  {
    name: 'message.timestamp.before.max.ms', type: 'long', default: DEFAULT_LOG_CONFIG['message.timestamp.before.max.ms'],
    validator: atLeast(0),
    brokerSynonym: 'log.message.timestamp.before.max.ms', importance: 'medium',
    doc: "How far behind the broker's clock a CreateTime timestamp may be before the produce is refused.",
  },
  {
    name: 'message.timestamp.type', type: 'string', default: DEFAULT_LOG_CONFIG['message.timestamp.type'],
    validator: oneOf(TIMESTAMP_TYPES),
    brokerSynonym: 'log.message.timestamp.type', importance: 'medium',
    doc: "Which timestamp records keep: CreateTime, the producer's, or LogAppendTime, the broker's clock when it appends.",
  },
  {
    name: 'min.cleanable.dirty.ratio', type: 'double', default: DEFAULT_LOG_CONFIG['min.cleanable.dirty.ratio'], validator: between(0, 1),
    brokerSynonym: 'log.cleaner.min.cleanable.ratio', importance: 'medium',
    doc: 'The share of the log that must be uncompacted before the cleaner takes it on.',
  },
  {
    name: 'min.compaction.lag.ms', type: 'long', default: DEFAULT_LOG_CONFIG['min.compaction.lag.ms'], validator: atLeast(0),
    brokerSynonym: 'log.cleaner.min.compaction.lag.ms', importance: 'medium',
    doc: 'How old a record must be before compaction may remove it.',
  },
  {
    name: 'min.insync.replicas', type: 'int', default: 1, validator: atLeast(1), brokerSynonym: 'min.insync.replicas', importance: 'medium',
    doc: 'The fewest in-sync replicas that must hold a write before a produce with acks=all succeeds.',
  },
  {
    name: 'preallocate', type: 'boolean', default: false, brokerSynonym: 'log.preallocate', importance: 'medium',
    doc: 'Whether a new segment file is allocated at its full size when it is created.',
  },
  {
    name: 'retention.bytes', type: 'long', default: DEFAULT_LOG_CONFIG['retention.bytes'], brokerSynonym: 'log.retention.bytes',
    importance: 'medium',
    doc: 'How much data a partition keeps before its oldest segments may be deleted; -1 means no size limit.',
  },
  {
    name: 'retention.ms', type: 'long', default: DEFAULT_LOG_CONFIG['retention.ms'], validator: atLeast(-1),
    brokerSynonym: 'log.retention.ms', importance: 'medium',
    doc: 'How long data is kept before its segments may be deleted; -1 keeps it for ever.',
  },
  {
    name: 'segment.bytes', type: 'int', default: DEFAULT_LOG_CONFIG['segment.bytes'], validator: atLeast(14),
    brokerSynonym: 'log.segment.bytes', importance: 'medium',
    doc: 'The size at which a segment is closed and a new one started.',
  },
  {
    name: 'segment.index.bytes', type: 'int', default: DEFAULT_LOG_CONFIG['segment.index.bytes'], validator: atLeast(4),
    brokerSynonym: 'log.index.size.max.bytes', importance: 'medium',
    doc: "The size of each segment's offset and time index; a full index rolls the segment.",
  },
  {
    name: 'segment.jitter.ms', type: 'long', default: 0, validator: atLeast(0), brokerSynonym: 'log.roll.jitter.ms', importance: 'medium',
    doc: 'The most random time taken off segment.ms so that segments do not all roll together.',
  },
  {
    name: 'segment.ms', type: 'long', default: DEFAULT_LOG_CONFIG['segment.ms'], validator: atLeast(1), brokerSynonym: 'log.roll.ms',
    importance: 'medium',
    doc: 'The age at which a segment is rolled even when it is not full.',
  },
  {
    name: 'unclean.leader.election.enable', type: 'boolean', default: false, brokerSynonym: 'unclean.leader.election.enable',
    importance: 'medium',
    doc: 'Whether a replica outside the in-sync set may become leader when no in-sync one is left, at the price of losing acknowledged data.',
  },
] as const satisfies readonly TopicPropertyDefinition[];

/** A topic's effective configuration; it is a LogConfig, plus the settings replication and produce need. */
export type TopicConfig = ConfigOf<(typeof TOPIC_PROPERTIES)[number]>;

export const TOPIC_PROPERTY: ReadonlyMap<string, TopicPropertyDefinition> = new Map(TOPIC_PROPERTIES.map((def) => [def.name, def]));
