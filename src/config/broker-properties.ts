import { DEFAULT_LOG_CONFIG, DEFAULT_LOG_MANAGER_CONFIG } from '../storage/log-config.js';
import {
  ADVERTISED_LISTENERS,
  BOOTSTRAP_SERVERS,
  LISTENER_NAMES,
  LISTENERS,
  PROTOCOL_MAP,
  QUORUM_VOTERS,
  SECURITY_PROTOCOLS,
} from './endpoints.js';
import type { BrokerPropertyDefinition, ConfigOf } from './property.js';
import { atLeast, between, listOf, nonEmptyList, oneOf } from './validators.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const MIB = 1024 * 1024;
const INT_MAX = 2 ** 31 - 1;

export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
export const CLEANUP_POLICIES = ['compact', 'delete'] as const;
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;

const NO_EFFECT = 'Accepted for compatibility with Kafka configurations and has no effect: Gregor does this work on the Node.js event loop.';

/** The sections of server.properties and docs/configuration.md, in order. */
export const BROKER_GROUPS = [
  {
    id: 'roles', title: 'Roles and identity',
    about: 'What this node does in the cluster and the id it is known by.',
  },
  {
    id: 'quorum', title: 'Metadata quorum',
    about: 'How controllers form the Raft quorum that holds the cluster metadata, and how brokers find it.',
  },
  {
    id: 'listeners', title: 'Listeners and sockets',
    about: 'Where the node accepts connections and how it treats them.',
  },
  {
    id: 'log-dirs', title: 'Log directories',
    about: 'Where partition data and the metadata log live on disk.',
  },
  {
    id: 'topic-defaults', title: 'Topic defaults',
    about: 'Settings for new topics, and broker-wide defaults of the topic configs they do not override.',
  },
  {
    id: 'segments', title: 'Log segments and indexes',
    about: 'When segments roll and how they are indexed; the defaults of the segment.* topic configs.',
  },
  {
    id: 'retention', title: 'Log retention',
    about: 'How long data is kept; the defaults of the retention.* and cleanup.policy topic configs.',
  },
  {
    id: 'flush', title: 'Log flush',
    about: 'When data is forced to disk. Durability normally comes from replication, so by default the broker leaves flushing to the operating system.',
  },
  {
    id: 'cleaner', title: 'Log cleaner',
    about: 'Compaction of topics whose cleanup.policy includes compact.',
  },
  {
    id: 'timestamps', title: 'Message timestamps and formats',
    about: 'Which timestamps records carry and which clients get converted batches.',
  },
  {
    id: 'replication', title: 'Replication and fetching',
    about: 'How followers copy from leaders and how leadership is balanced.',
  },
  {
    id: 'groups', title: 'Consumer groups',
    about: 'The group coordinator and its __consumer_offsets topic.',
  },
  {
    id: 'transactions', title: 'Transactions and producer state',
    about: 'The transaction coordinator, its __transaction_state topic, and idempotent producer state.',
  },
  {
    id: 'metadata-log', title: 'Metadata log',
    about: 'Segments, retention and snapshots of the __cluster_metadata log.',
  },
] as const;

/** Every broker property Gregor implements, with Kafka's name, type and default. */
export const BROKER_PROPERTIES = [
  // Roles and identity
  {
    name: 'process.roles', group: 'roles', type: 'list', default: ['broker', 'controller'],
    validator: listOf(['broker', 'controller'], { nonEmpty: true, distinct: true }), importance: 'high', updateMode: 'read-only',
    doc: 'The roles this node plays: broker (serves clients and hosts partitions), controller (votes in the metadata quorum), or both.',
    note: 'Kafka has no default and requires the property; Gregor defaults to both roles, so one process without configuration is a complete single-node cluster.',
  },
  {
    name: 'node.id', group: 'roles', type: 'int', default: 1, validator: atLeast(0), fallbacks: [{ name: 'broker.id' }],
    importance: 'high', updateMode: 'read-only',
    doc: 'The id of this node, unique across the brokers and controllers of the cluster.',
    note: "Kafka's default is -1, which it refuses at startup; Gregor defaults to 1 for the single-node case.",
  },
  {
    name: 'broker.id', group: 'roles', type: 'int', default: null, validator: atLeast(0), fallbacks: [{ name: 'node.id' }],
    importance: 'high', updateMode: 'read-only',
    doc: 'The older name of node.id: either may be set, and when both are they must be equal.',
    note: "Kafka's default is -1; here it is unset and reads as node.id.",
  },
  {
    name: 'broker.rack', group: 'roles', type: 'string', default: null, importance: 'medium', updateMode: 'read-only',
    doc: 'The rack (or zone) of this broker, reported to clients in metadata.',
  },
  // Metadata quorum
  {
    name: 'controller.quorum.voters', group: 'quorum', type: 'list', default: [], validator: QUORUM_VOTERS, importance: 'high',
    updateMode: 'read-only',
    doc: 'The fixed set of quorum voters as id@host:port entries, naming every controller of the cluster.',
    note: 'Kafka requires this or controller.quorum.bootstrap.servers; Gregor treats both empty on a node with the controller role as a quorum of that node alone.',
  },
  {
    name: 'controller.quorum.bootstrap.servers', group: 'quorum', type: 'list', default: [], validator: BOOTSTRAP_SERVERS,
    importance: 'high', updateMode: 'read-only',
    doc: 'Controller addresses (host:port) used to discover the quorum when its voters are not fixed by controller.quorum.voters.',
  },
  {
    name: 'controller.listener.names', group: 'quorum', type: 'list', default: [], validator: LISTENER_NAMES, importance: 'high',
    updateMode: 'read-only',
    doc: 'The listeners used for quorum traffic: a controller accepts it on these, and brokers use the first to reach the controllers.',
    note: "Kafka's default is null, which the empty list stands for; a single-node quorum needs no controller listener.",
  },
  {
    name: 'controller.quorum.election.timeout.ms', group: 'quorum', type: 'int', default: 1000, importance: 'high', updateMode: 'read-only',
    doc: 'How long a voter waits without hearing from a leader before it calls an election.',
  },
  {
    name: 'controller.quorum.election.backoff.max.ms', group: 'quorum', type: 'int', default: 1000, importance: 'high',
    updateMode: 'read-only',
    doc: 'The longest random wait before a candidate retries an election that chose no leader.',
  },
  {
    name: 'controller.quorum.fetch.timeout.ms', group: 'quorum', type: 'int', default: 2000, importance: 'high', updateMode: 'read-only',
    doc: 'How long a follower goes without a successful fetch from the leader before it becomes a candidate.',
  },
  {
    name: 'controller.quorum.request.timeout.ms', group: 'quorum', type: 'int', default: 2000, importance: 'medium',
    updateMode: 'read-only',
    doc: 'How long a quorum request waits for its response before it is given up.',
  },
  {
    name: 'controller.quorum.retry.backoff.ms', group: 'quorum', type: 'int', default: 20, importance: 'low', updateMode: 'read-only',
    doc: 'The pause before a failed quorum request to the same node is retried.',
  },
  {
    name: 'broker.heartbeat.interval.ms', group: 'quorum', type: 'int', default: 2000, importance: 'medium', updateMode: 'read-only',
    doc: 'How often a broker sends a heartbeat to the active controller.',
  },
  {
    name: 'broker.session.timeout.ms', group: 'quorum', type: 'int', default: 9000, importance: 'medium', updateMode: 'read-only',
    doc: 'How long the controller waits for a heartbeat before it fences the broker and moves its leaderships.',
  },
  // Listeners and sockets
  {
    name: 'listeners', group: 'listeners', type: 'list', default: ['PLAINTEXT://:9092'], validator: LISTENERS, importance: 'high',
    updateMode: 'read-only',
    doc: 'The addresses the node listens on, as NAME://host:port; an empty host binds every interface and port 0 picks a free port.',
    note: 'Kafka can change listeners of a running broker; in Gregor they are read-only.',
  },
  {
    name: 'advertised.listeners', group: 'listeners', type: 'list', default: null, validator: ADVERTISED_LISTENERS, importance: 'high',
    updateMode: 'read-only',
    doc: 'The addresses clients and other brokers are told to connect to, when they differ from listeners; unset means listeners.',
  },
  {
    name: 'listener.security.protocol.map', group: 'listeners', type: 'list',
    default: ['SASL_SSL:SASL_SSL', 'PLAINTEXT:PLAINTEXT', 'SSL:SSL', 'SASL_PLAINTEXT:SASL_PLAINTEXT'],
    validator: PROTOCOL_MAP, importance: 'low', updateMode: 'read-only',
    doc: 'The security protocol of each listener name, as NAME:PROTOCOL pairs.',
    note: 'Only PLAINTEXT is served for now: a listener mapped to another protocol stops startup.',
  },
  {
    name: 'inter.broker.listener.name', group: 'listeners', type: 'string', default: null, importance: 'medium', updateMode: 'read-only',
    doc: 'The listener brokers use to reach each other; unset means the listener named after security.inter.broker.protocol.',
  },
  {
    name: 'security.inter.broker.protocol', group: 'listeners', type: 'string', default: 'PLAINTEXT', validator: oneOf(SECURITY_PROTOCOLS),
    importance: 'medium', updateMode: 'read-only',
    doc: 'The older way to choose the inter-broker listener, by security protocol; set this or inter.broker.listener.name, not both.',
  },
  {
    name: 'socket.send.buffer.bytes', group: 'listeners', type: 'int', default: 102400, importance: 'high', updateMode: 'read-only',
    doc: "The send buffer size of accepted sockets; -1 keeps the operating system's default.",
  },
  {
    name: 'socket.receive.buffer.bytes', group: 'listeners', type: 'int', default: 102400, importance: 'high', updateMode: 'read-only',
    doc: "The receive buffer size of accepted sockets; -1 keeps the operating system's default.",
  },
  {
    name: 'socket.request.max.bytes', group: 'listeners', type: 'int', default: 100 * MIB, validator: atLeast(1), importance: 'high',
    updateMode: 'read-only',
    doc: 'The largest request the node reads; a connection announcing a larger one is closed.',
  },
  {
    name: 'connections.max.idle.ms', group: 'listeners', type: 'long', default: 600_000, importance: 'medium', updateMode: 'read-only',
    doc: 'How long a connection may stay idle before the node closes it.',
  },
  {
    name: 'queued.max.requests', group: 'listeners', type: 'int', default: 500, validator: atLeast(1), importance: 'high',
    updateMode: 'read-only',
    doc: 'How many received requests may wait for their responses before the node stops reading from connections.',
  },
  {
    name: 'num.network.threads', group: 'listeners', type: 'int', default: 3, validator: atLeast(1), importance: 'high',
    updateMode: 'cluster-wide',
    doc: 'The number of threads Kafka uses to read requests from and write responses to sockets.',
    note: NO_EFFECT,
  },
  {
    name: 'num.io.threads', group: 'listeners', type: 'int', default: 8, validator: atLeast(1), importance: 'high',
    updateMode: 'cluster-wide',
    doc: 'The number of threads Kafka uses to process requests, disk I/O included.',
    note: NO_EFFECT,
  },
  // Log directories
  {
    name: 'log.dirs', group: 'log-dirs', type: 'list', default: null, validator: nonEmptyList(), fallbacks: [{ name: 'log.dir' }],
    importance: 'high', updateMode: 'read-only',
    doc: 'The directories that hold partition data; unset means log.dir.',
  },
  {
    name: 'log.dir', group: 'log-dirs', type: 'list', default: ['./data'], validator: nonEmptyList(), importance: 'high',
    updateMode: 'read-only',
    doc: 'The data directory used when log.dirs is not set.',
    note: "Kafka's default is /tmp/kafka-logs; Gregor's is ./data, relative to the working directory, so data outlives a reboot.",
  },
  {
    name: 'metadata.log.dir', group: 'log-dirs', type: 'string', default: null, importance: 'high', updateMode: 'read-only',
    doc: 'The directory of the cluster metadata log; unset means the first of log.dirs.',
  },
  {
    name: 'num.recovery.threads.per.data.dir', group: 'log-dirs', type: 'int', default: 1, validator: atLeast(1), importance: 'high',
    updateMode: 'cluster-wide',
    doc: 'The number of threads per data directory Kafka uses to recover logs at startup and flush them at shutdown.',
    note: NO_EFFECT,
  },
  // Topic defaults
  {
    name: 'num.partitions', group: 'topic-defaults', type: 'int', default: 1, validator: atLeast(1), importance: 'medium',
    updateMode: 'read-only',
    doc: 'The partition count of topics created without one, auto-created topics included.',
  },
  {
    name: 'default.replication.factor', group: 'topic-defaults', type: 'int', default: 1, importance: 'medium', updateMode: 'read-only',
    doc: 'The replication factor of topics created without one, auto-created topics included.',
  },
  {
    name: 'auto.create.topics.enable', group: 'topic-defaults', type: 'boolean', default: true, importance: 'high', updateMode: 'read-only',
    doc: 'Whether a metadata request for a topic that does not exist creates it with the defaults.',
  },
  {
    name: 'delete.topic.enable', group: 'topic-defaults', type: 'boolean', default: true, importance: 'high', updateMode: 'read-only',
    doc: 'Whether topics may be deleted; when false, DeleteTopics is refused.',
  },
  {
    name: 'min.insync.replicas', group: 'topic-defaults', type: 'int', default: 1, validator: atLeast(1), importance: 'high',
    updateMode: 'cluster-wide',
    doc: 'The fewest in-sync replicas that must hold a write before a produce with acks=all succeeds.',
  },
  {
    name: 'unclean.leader.election.enable', group: 'topic-defaults', type: 'boolean', default: false, importance: 'high',
    updateMode: 'cluster-wide',
    doc: 'Whether a replica outside the in-sync set may become leader when no in-sync one is left, at the price of losing acknowledged data.',
  },
  {
    name: 'compression.type', group: 'topic-defaults', type: 'string', default: 'producer', validator: oneOf(COMPRESSION_TYPES),
    importance: 'high', updateMode: 'cluster-wide',
    doc: 'How stored batches are compressed: a codec name recompresses to that codec, uncompressed stores them plain, producer keeps what the producer sent.',
  },
  {
    name: 'message.max.bytes', group: 'topic-defaults', type: 'int', default: DEFAULT_LOG_CONFIG['max.message.bytes'],
    validator: atLeast(0),
    importance: 'high', updateMode: 'cluster-wide',
    doc: 'The largest record batch, after compression, that a topic accepts.',
  },
  // Log segments and indexes
  {
    name: 'log.segment.bytes', group: 'segments', type: 'int', default: DEFAULT_LOG_CONFIG['segment.bytes'], validator: atLeast(14),
    importance: 'high', updateMode: 'cluster-wide',
    doc: 'The size at which a segment is closed and a new one started.',
  },
  {
    name: 'log.roll.ms', group: 'segments', type: 'long', default: null, validator: atLeast(1),
    fallbacks: [{ name: 'log.roll.hours', unit: 'hours' }],
    importance: 'high', updateMode: 'cluster-wide',
    doc: 'The age at which a segment is rolled even when it is not full; unset means log.roll.hours.',
  },
  {
    name: 'log.roll.hours', group: 'segments', type: 'int', default: 168, validator: atLeast(1), importance: 'high',
    updateMode: 'read-only',
    doc: 'The segment roll age in hours, used when log.roll.ms is not set.',
  },
  {
    name: 'log.roll.jitter.ms', group: 'segments', type: 'long', default: null, validator: atLeast(0),
    fallbacks: [{ name: 'log.roll.jitter.hours', unit: 'hours' }], importance: 'high', updateMode: 'cluster-wide',
    doc: 'The most random time taken off the roll age so that segments do not all roll together; unset means log.roll.jitter.hours.',
  },
  {
    name: 'log.roll.jitter.hours', group: 'segments', type: 'int', default: 0, validator: atLeast(0), importance: 'high',
    updateMode: 'read-only',
    doc: 'The roll jitter in hours, used when log.roll.jitter.ms is not set.',
  },
  {
    name: 'log.index.size.max.bytes', group: 'segments', type: 'int', default: DEFAULT_LOG_CONFIG['segment.index.bytes'],
    validator: atLeast(4),
    importance: 'medium', updateMode: 'cluster-wide',
    doc: "The size of each segment's offset and time index; a full index rolls the segment.",
  },
  {
    name: 'log.index.interval.bytes', group: 'segments', type: 'int', default: DEFAULT_LOG_CONFIG['index.interval.bytes'],
    validator: atLeast(0),
    importance: 'medium', updateMode: 'cluster-wide',
    doc: 'How many bytes of batches lie between two entries of the offset index.',
  },
  {
    name: 'log.preallocate', group: 'segments', type: 'boolean', default: false, importance: 'medium', updateMode: 'cluster-wide',
    doc: 'Whether a new segment file is allocated at its full size when it is created.',
  },
  {
    name: 'log.segment.delete.delay.ms', group: 'segments', type: 'long', default: DEFAULT_LOG_CONFIG['file.delete.delay.ms'],
    validator: atLeast(0),
    importance: 'high', updateMode: 'cluster-wide',
    doc: 'How long the files of a segment removed from the log wait before they are deleted, so that reads in progress can finish.',
  },
  // Log retention
  {
    name: 'log.retention.ms', group: 'retention', type: 'long', default: null, validator: atLeast(-1),
    fallbacks: [{ name: 'log.retention.minutes', unit: 'minutes' }, { name: 'log.retention.hours', unit: 'hours' }],
    importance: 'high', updateMode: 'cluster-wide',
    doc: 'How long data is kept before its segments may be deleted, -1 for ever; unset means log.retention.minutes, then log.retention.hours.',
    note: 'Kafka takes any negative value as unlimited; Gregor accepts only -1 here, and a negative minutes or hours value still means unlimited.',
  },
  {
    name: 'log.retention.minutes', group: 'retention', type: 'int', default: null, importance: 'high', updateMode: 'read-only',
    doc: 'The retention time in minutes, used when log.retention.ms is not set.',
  },
  {
    name: 'log.retention.hours', group: 'retention', type: 'int', default: 168, importance: 'high', updateMode: 'read-only',
    doc: 'The retention time in hours, used when neither log.retention.ms nor log.retention.minutes is set.',
  },
  {
    name: 'log.retention.bytes', group: 'retention', type: 'long', default: DEFAULT_LOG_CONFIG['retention.bytes'], importance: 'high',
    updateMode: 'cluster-wide',
    doc: 'How much data a partition keeps before its oldest segments may be deleted; -1 means no size limit.',
  },
  {
    name: 'log.retention.check.interval.ms', group: 'retention', type: 'long',
    default: DEFAULT_LOG_MANAGER_CONFIG['log.retention.check.interval.ms'],
    validator: atLeast(1), importance: 'medium', updateMode: 'read-only',
    doc: 'How often the broker looks for segments that retention allows it to delete.',
  },
  {
    name: 'log.cleanup.policy', group: 'retention', type: 'list', default: DEFAULT_LOG_CONFIG['cleanup.policy'],
    validator: listOf(CLEANUP_POLICIES),
    importance: 'medium', updateMode: 'cluster-wide',
    doc: 'What happens to old data: delete removes segments past retention, compact keeps the latest record of each key; both may be listed.',
  },
  // Log flush
  {
    name: 'log.flush.interval.messages', group: 'flush', type: 'long', default: DEFAULT_LOG_CONFIG['flush.messages'], validator: atLeast(1),
    importance: 'high', updateMode: 'cluster-wide',
    doc: 'How many records a partition takes before it is forced to disk.',
  },
  {
    name: 'log.flush.interval.ms', group: 'flush', type: 'long', default: null, validator: atLeast(0),
    fallbacks: [{ name: 'log.flush.scheduler.interval.ms' }], importance: 'high', updateMode: 'cluster-wide',
    doc: 'The longest a record may wait in a partition before it is forced to disk; unset means log.flush.scheduler.interval.ms.',
  },
  {
    name: 'log.flush.scheduler.interval.ms', group: 'flush', type: 'long',
    default: DEFAULT_LOG_MANAGER_CONFIG['log.flush.scheduler.interval.ms'],
    importance: 'high', updateMode: 'read-only',
    doc: 'How often the broker checks whether a log is due to be forced to disk.',
  },
  {
    name: 'log.flush.offset.checkpoint.interval.ms', group: 'flush', type: 'int',
    default: DEFAULT_LOG_MANAGER_CONFIG['log.flush.offset.checkpoint.interval.ms'],
    validator: atLeast(0), importance: 'high', updateMode: 'read-only',
    doc: "How often each log directory's recovery point checkpoint is written.",
  },
  {
    name: 'log.flush.start.offset.checkpoint.interval.ms', group: 'flush', type: 'int',
    default: DEFAULT_LOG_MANAGER_CONFIG['log.flush.start.offset.checkpoint.interval.ms'], validator: atLeast(0), importance: 'high',
    updateMode: 'read-only',
    doc: "How often each log directory's log start offset checkpoint is written.",
  },
  // Log cleaner
  {
    name: 'log.cleaner.enable', group: 'cleaner', type: 'boolean', default: DEFAULT_LOG_MANAGER_CONFIG['log.cleaner.enable'],
    importance: 'medium', updateMode: 'read-only',
    doc: 'Whether the log cleaner runs; compacted topics grow without bound when it does not.',
  },
  {
    name: 'log.cleaner.backoff.ms', group: 'cleaner', type: 'long', default: DEFAULT_LOG_MANAGER_CONFIG['log.cleaner.backoff.ms'],
    validator: atLeast(0),
    importance: 'medium', updateMode: 'cluster-wide',
    doc: 'How long the cleaner sleeps when no log needs cleaning.',
  },
  {
    name: 'log.cleaner.dedupe.buffer.size', group: 'cleaner', type: 'long',
    default: DEFAULT_LOG_MANAGER_CONFIG['log.cleaner.dedupe.buffer.size'],
    importance: 'medium', updateMode: 'cluster-wide',
    doc: 'The memory the cleaner uses to map keys to their latest offsets.',
  },
  {
    name: 'log.cleaner.delete.retention.ms', group: 'cleaner', type: 'long', default: DEFAULT_LOG_CONFIG['delete.retention.ms'],
    validator: atLeast(0),
    importance: 'medium', updateMode: 'cluster-wide',
    doc: 'How long tombstones (records with a null value) stay in a compacted log, so that consumers get to see the deletion.',
  },
  {
    name: 'log.cleaner.min.compaction.lag.ms', group: 'cleaner', type: 'long', default: DEFAULT_LOG_CONFIG['min.compaction.lag.ms'],
    validator: atLeast(0),
    importance: 'medium', updateMode: 'cluster-wide',
    doc: 'How old a record must be before compaction may remove it.',
  },
  {
    name: 'log.cleaner.max.compaction.lag.ms', group: 'cleaner', type: 'long', default: DEFAULT_LOG_CONFIG['max.compaction.lag.ms'],
    validator: atLeast(1),
    importance: 'medium', updateMode: 'cluster-wide',
    doc: 'How old an uncompacted record may grow before its log is compacted whatever its dirty ratio.',
  },
  {
    name: 'log.cleaner.min.cleanable.ratio', group: 'cleaner', type: 'double', default: DEFAULT_LOG_CONFIG['min.cleanable.dirty.ratio'],
    validator: between(0, 1), importance: 'medium', updateMode: 'cluster-wide',
    doc: 'The share of a log that must be uncompacted before the cleaner takes it on.',
  },
  // Message timestamps and formats
  {
    name: 'log.message.timestamp.type', group: 'timestamps', type: 'string', default: DEFAULT_LOG_CONFIG['message.timestamp.type'],
    validator: oneOf(TIMESTAMP_TYPES), importance: 'medium', updateMode: 'cluster-wide',
    doc: "Which timestamp records keep: CreateTime, the producer's, or LogAppendTime, the broker's clock when it appends.",
  },
  {
    name: 'log.message.timestamp.before.max.ms', group: 'timestamps', type: 'long',
    default: DEFAULT_LOG_CONFIG['message.timestamp.before.max.ms'],
    validator: atLeast(0), importance: 'medium', updateMode: 'cluster-wide',
    doc: "How far behind the broker's clock a CreateTime timestamp may be before the produce is refused.",
  },
  {
    name: 'log.message.timestamp.after.max.ms', group: 'timestamps', type: 'long',
    default: DEFAULT_LOG_CONFIG['message.timestamp.after.max.ms'],
    validator: atLeast(0), importance: 'medium', updateMode: 'cluster-wide',
    doc: "How far ahead of the broker's clock a CreateTime timestamp may be before the produce is refused.",
  },
  {
    name: 'log.message.downconversion.enable', group: 'timestamps', type: 'boolean', default: true, importance: 'medium',
    updateMode: 'cluster-wide',
    doc: 'Whether consumers that only read old message formats get converted batches; when false their fetches fail with UNSUPPORTED_VERSION.',
  },
  // Replication and fetching
  {
    name: 'replica.lag.time.max.ms', group: 'replication', type: 'long', default: 30_000, importance: 'high', updateMode: 'read-only',
    doc: 'A follower that has not caught up with the leader for this long leaves the in-sync replicas.',
  },
  {
    name: 'replica.fetch.max.bytes', group: 'replication', type: 'int', default: MIB, validator: atLeast(0), importance: 'medium',
    updateMode: 'read-only',
    doc: 'How many bytes a follower asks for per partition in one fetch; a larger first batch still comes back whole.',
  },
  {
    name: 'replica.fetch.response.max.bytes', group: 'replication', type: 'int', default: 10 * MIB, validator: atLeast(0),
    importance: 'medium', updateMode: 'read-only',
    doc: 'How many bytes a follower asks for in one fetch across all its partitions.',
  },
  {
    name: 'replica.fetch.wait.max.ms', group: 'replication', type: 'int', default: 500, importance: 'medium', updateMode: 'read-only',
    doc: 'How long the leader may hold a follower fetch while waiting for data; keep it below replica.lag.time.max.ms.',
  },
  {
    name: 'replica.fetch.min.bytes', group: 'replication', type: 'int', default: 1, importance: 'medium', updateMode: 'read-only',
    doc: 'How many bytes a follower fetch waits for before the leader answers it.',
  },
  {
    name: 'replica.fetch.backoff.ms', group: 'replication', type: 'int', default: 1000, validator: atLeast(0), importance: 'medium',
    updateMode: 'read-only',
    doc: 'The pause after a failed follower fetch before the next one.',
  },
  {
    name: 'fetch.max.bytes', group: 'replication', type: 'int', default: 55 * MIB, validator: atLeast(1024), importance: 'medium',
    updateMode: 'read-only',
    doc: 'The most data one consumer fetch returns across all its partitions.',
  },
  {
    name: 'max.incremental.fetch.session.cache.slots', group: 'replication', type: 'int', default: 1000, validator: atLeast(0),
    importance: 'medium', updateMode: 'read-only',
    doc: 'How many incremental fetch sessions (KIP-227) the broker keeps; 0 turns them off.',
  },
  {
    name: 'min.incremental.fetch.session.eviction.ms', group: 'replication', type: 'int', default: 120000, validator: atLeast(0),
    importance: 'low', updateMode: 'read-only',
    doc: 'How long a fetch session is safe from being evicted by a newer one once it was last used.',
  },
  {
    name: 'auto.leader.rebalance.enable', group: 'replication', type: 'boolean', default: true, importance: 'high', updateMode: 'read-only',
    doc: "Whether the controller moves leadership back to each partition's preferred replica when it can.",
  },
  {
    name: 'leader.imbalance.check.interval.seconds', group: 'replication', type: 'long', default: 300, validator: atLeast(1),
    importance: 'high', updateMode: 'read-only',
    doc: 'How often the controller checks whether leadership should move back to preferred replicas.',
  },
  {
    name: 'leader.imbalance.per.broker.percentage', group: 'replication', type: 'int', default: 10, importance: 'high',
    updateMode: 'read-only',
    doc: "The percentage of a broker's preferred leaderships held by others above which the controller rebalances.",
  },
  // Consumer groups
  {
    name: 'offsets.topic.num.partitions', group: 'groups', type: 'int', default: 50, validator: atLeast(1), importance: 'high',
    updateMode: 'read-only',
    doc: 'The partition count of __consumer_offsets; it cannot change once the topic exists.',
  },
  {
    name: 'offsets.topic.replication.factor', group: 'groups', type: 'short', default: 1, validator: atLeast(1), importance: 'high',
    updateMode: 'read-only',
    doc: 'The replication factor of __consumer_offsets; the topic is not created until this many brokers are alive.',
    note: "Kafka's default is 3; Gregor's is 1 so that a single node can create the topic. Set 3 on a cluster of three or more brokers.",
  },
  {
    name: 'offsets.topic.segment.bytes', group: 'groups', type: 'int', default: 100 * MIB, validator: atLeast(1), importance: 'high',
    updateMode: 'read-only',
    doc: 'The segment size of __consumer_offsets, kept small so that the topic compacts and loads quickly.',
  },
  {
    name: 'offsets.retention.minutes', group: 'groups', type: 'int', default: 7 * 24 * 60, validator: atLeast(1), importance: 'high',
    updateMode: 'read-only',
    doc: 'How long the committed offsets of a group that has no members are kept.',
  },
  {
    name: 'offsets.retention.check.interval.ms', group: 'groups', type: 'long', default: 600_000, validator: atLeast(1), importance: 'high',
    updateMode: 'read-only',
    doc: 'How often the coordinator removes expired committed offsets.',
  },
  {
    name: 'offsets.commit.timeout.ms', group: 'groups', type: 'int', default: 5000, validator: atLeast(1), importance: 'high',
    updateMode: 'read-only',
    doc: 'How long an offset commit waits for the replicas of __consumer_offsets before it fails.',
  },
  {
    name: 'offset.metadata.max.bytes', group: 'groups', type: 'int', default: 4096, importance: 'high', updateMode: 'read-only',
    doc: 'The longest metadata string an offset commit may carry.',
  },
  {
    name: 'group.initial.rebalance.delay.ms', group: 'groups', type: 'int', default: 3000, importance: 'medium', updateMode: 'read-only',
    doc: 'How long a new classic group waits for more members before its first rebalance.',
  },
  {
    name: 'group.min.session.timeout.ms', group: 'groups', type: 'int', default: 6000, importance: 'medium', updateMode: 'read-only',
    doc: 'The shortest session timeout a member of a classic group may ask for.',
  },
  {
    name: 'group.max.session.timeout.ms', group: 'groups', type: 'int', default: 1_800_000, importance: 'medium', updateMode: 'read-only',
    doc: 'The longest session timeout a member of a classic group may ask for.',
  },
  {
    name: 'group.max.size', group: 'groups', type: 'int', default: INT_MAX, validator: atLeast(1), importance: 'medium',
    updateMode: 'read-only',
    doc: 'The most members a classic group may have.',
  },
  {
    name: 'group.consumer.session.timeout.ms', group: 'groups', type: 'int', default: 45_000, validator: atLeast(1), importance: 'medium',
    updateMode: 'read-only',
    doc: 'How long a member of a consumer-protocol group (KIP-848) may go without a heartbeat before it is removed.',
  },
  {
    name: 'group.consumer.heartbeat.interval.ms', group: 'groups', type: 'int', default: 5000, validator: atLeast(1), importance: 'medium',
    updateMode: 'read-only',
    doc: 'How often members of a consumer-protocol group are told to send heartbeats.',
  },
  {
    name: 'group.consumer.max.size', group: 'groups', type: 'int', default: INT_MAX, validator: atLeast(1), importance: 'medium',
    updateMode: 'read-only',
    doc: 'The most members a consumer-protocol group may have.',
  },
  {
    name: 'group.consumer.assignors', group: 'groups', type: 'list', default: ['uniform', 'range'],
    validator: listOf(['uniform', 'range'], { nonEmpty: true, distinct: true }), importance: 'medium', updateMode: 'read-only',
    doc: 'The server-side assignors consumer-protocol groups may use; the first is the default.',
    note: "Kafka takes class names; Gregor takes the assignors' short names, which is also what clients send.",
  },
  // Transactions and producer state
  {
    name: 'transaction.state.log.num.partitions', group: 'transactions', type: 'int', default: 50, validator: atLeast(1),
    importance: 'high', updateMode: 'read-only',
    doc: 'The partition count of __transaction_state; it cannot change once the topic exists.',
  },
  {
    name: 'transaction.state.log.replication.factor', group: 'transactions', type: 'short', default: 1, validator: atLeast(1),
    importance: 'high', updateMode: 'read-only',
    doc: 'The replication factor of __transaction_state; the topic is not created until this many brokers are alive.',
    note: "Kafka's default is 3; Gregor's is 1 so that a single node can create the topic. Set 3 on a cluster of three or more brokers.",
  },
  {
    name: 'transaction.state.log.min.isr', group: 'transactions', type: 'int', default: 1, validator: atLeast(1), importance: 'high',
    updateMode: 'read-only',
    doc: 'The min.insync.replicas of __transaction_state.',
    note: "Kafka's default is 2; Gregor's is 1 to go with a replication factor of 1. Set 2 on a cluster of three or more brokers.",
  },
  {
    name: 'transaction.state.log.segment.bytes', group: 'transactions', type: 'int', default: 100 * MIB, validator: atLeast(1),
    importance: 'high', updateMode: 'read-only',
    doc: 'The segment size of __transaction_state, kept small so that the topic compacts and loads quickly.',
  },
  {
    name: 'transaction.max.timeout.ms', group: 'transactions', type: 'int', default: 900_000, validator: atLeast(1), importance: 'high',
    updateMode: 'read-only',
    doc: 'The longest transaction timeout a producer may ask for; asking for more fails its InitProducerId.',
  },
  {
    name: 'transactional.id.expiration.ms', group: 'transactions', type: 'int', default: 7 * DAY_MS, validator: atLeast(1),
    importance: 'high', updateMode: 'read-only',
    doc: 'How long a transactional id is kept after its producer last used it.',
  },
  {
    name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms', group: 'transactions', type: 'int', default: 10_000,
    validator: atLeast(1),
    importance: 'low', updateMode: 'read-only',
    doc: 'How often the coordinator aborts transactions that have outlived their timeout.',
  },
  {
    name: 'transaction.remove.expired.transaction.cleanup.interval.ms', group: 'transactions', type: 'int', default: 3_600_000,
    validator: atLeast(1),
    importance: 'low', updateMode: 'read-only',
    doc: 'How often the coordinator removes expired transactional ids.',
  },
  {
    name: 'producer.id.expiration.ms', group: 'transactions', type: 'int', default: DEFAULT_LOG_MANAGER_CONFIG['producer.id.expiration.ms'], validator: atLeast(1), importance: 'low',
    updateMode: 'cluster-wide',
    doc: 'How long a partition keeps the idempotence state of a producer id it has not heard from.',
  },
  {
    name: 'producer.id.expiration.check.interval.ms', group: 'transactions', type: 'int',
    default: DEFAULT_LOG_MANAGER_CONFIG['producer.id.expiration.check.interval.ms'], validator: atLeast(1), importance: 'low',
    updateMode: 'read-only',
    doc: 'How often partitions forget the producer ids that producer.id.expiration.ms has expired.',
  },
  // Metadata log
  {
    name: 'metadata.log.segment.bytes', group: 'metadata-log', type: 'int', default: 1024 * MIB, validator: atLeast(12), importance: 'high',
    updateMode: 'read-only',
    doc: 'The segment size of the metadata log.',
  },
  {
    name: 'metadata.log.segment.ms', group: 'metadata-log', type: 'long', default: 7 * DAY_MS, importance: 'high', updateMode: 'read-only',
    doc: 'The age at which a metadata log segment is rolled.',
  },
  {
    name: 'metadata.max.retention.bytes', group: 'metadata-log', type: 'long', default: 100 * MIB, importance: 'high',
    updateMode: 'read-only',
    doc: 'How large the metadata log may grow before segments already covered by a snapshot are deleted.',
  },
  {
    name: 'metadata.max.retention.ms', group: 'metadata-log', type: 'long', default: 7 * DAY_MS, importance: 'high',
    updateMode: 'read-only',
    doc: 'How long metadata log segments already covered by a snapshot are kept.',
  },
  {
    name: 'metadata.log.max.record.bytes.between.snapshots', group: 'metadata-log', type: 'long', default: 20 * MIB, validator: atLeast(1),
    importance: 'high', updateMode: 'read-only',
    doc: 'How many bytes of new metadata records make the node write a new snapshot.',
  },
  {
    name: 'metadata.log.max.snapshot.interval.ms', group: 'metadata-log', type: 'long', default: 3_600_000, validator: atLeast(0),
    importance: 'high', updateMode: 'read-only',
    doc: 'The longest time between snapshots while new records arrive; 0 turns this trigger off.',
  },
] as const satisfies readonly BrokerPropertyDefinition[];

export type BrokerPropertyName = (typeof BROKER_PROPERTIES)[number]['name'];

/** Every implemented broker property with its effective, typed value. */
export type BrokerConfig = ConfigOf<(typeof BROKER_PROPERTIES)[number]>;

export const BROKER_PROPERTY: ReadonlyMap<string, BrokerPropertyDefinition> = new Map(BROKER_PROPERTIES.map((def) => [def.name, def]));
