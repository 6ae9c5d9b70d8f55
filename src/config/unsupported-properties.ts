/**
 * Properties Kafka 3.9 defines that Gregor does not implement. Naming one is still an error (a
 * setting that silently does nothing can hide a security or durability assumption), but the
 * message says "not supported by Gregor" instead of "unknown property".
 */
const UNSUPPORTED_BROKER_PROPERTIES = new Set([
  'alter.config.policy.class.name', 'alter.log.dirs.replication.quota.window.num',
  'alter.log.dirs.replication.quota.window.size.seconds', 'authorizer.class.name', 'auto.include.jmx.reporter',
  'background.threads', 'broker.id.generation.enable', 'client.quota.callback.class', 'compression.gzip.level',
  'compression.lz4.level', 'compression.zstd.level', 'connection.failed.authentication.delay.ms', 'connections.max.reauth.ms',
  'control.plane.listener.name', 'controlled.shutdown.enable', 'controlled.shutdown.max.retries',
  'controlled.shutdown.retry.backoff.ms', 'controller.quorum.append.linger.ms', 'controller.socket.timeout.ms',
  'create.topic.policy.class.name', 'delete.records.purgatory.purge.interval.requests', 'early.start.listeners',
  'eligible.leader.replicas.enable', 'fetch.purgatory.purge.interval.requests', 'follower.replication.throttled.rate',
  'group.consumer.max.heartbeat.interval.ms', 'group.consumer.max.session.timeout.ms',
  'group.consumer.migration.policy', 'group.consumer.min.heartbeat.interval.ms', 'group.consumer.min.session.timeout.ms',
  'group.coordinator.append.linger.ms', 'group.coordinator.new.enable', 'group.coordinator.rebalance.protocols',
  'group.coordinator.threads', 'initial.broker.registration.timeout.ms', 'inter.broker.protocol.version',
  'kafka.metrics.polling.interval.secs', 'kafka.metrics.reporters', 'leader.replication.throttled.rate',
  'log.cleaner.io.buffer.load.factor', 'log.cleaner.io.buffer.size', 'log.cleaner.io.max.bytes.per.second',
  'log.cleaner.threads', 'log.dir.failure.timeout.ms', 'log.local.retention.bytes', 'log.local.retention.ms',
  'log.message.format.version', 'log.message.timestamp.difference.max.ms', 'max.connection.creation.rate', 'max.connections',
  'max.connections.per.ip', 'max.connections.per.ip.overrides',
  'metadata.log.segment.min.bytes', 'metadata.max.idle.interval.ms', 'metric.reporters', 'metrics.num.samples',
  'metrics.recording.level', 'metrics.sample.window.ms', 'num.replica.alter.log.dirs.threads', 'num.replica.fetchers',
  'offsets.commit.required.acks', 'offsets.load.buffer.size',
  'offsets.topic.compression.codec', 'principal.builder.class',
  'producer.purgatory.purge.interval.requests', 'queued.max.request.bytes', 'replica.alter.log.dirs.io.max.bytes.per.second',
  'replica.high.watermark.checkpoint.interval.ms', 'replica.selector.class', 'replica.socket.receive.buffer.bytes',
  'replica.socket.timeout.ms', 'replication.quota.window.num', 'replication.quota.window.size.seconds', 'request.timeout.ms',
  'reserved.broker.max.id', 'security.providers', 'server.max.startup.time.ms', 'socket.connection.setup.timeout.max.ms',
  'socket.connection.setup.timeout.ms', 'socket.listen.backlog.size', 'telemetry.max.bytes',
  'transaction.partition.verification.enable', 'transaction.state.log.load.buffer.size', 'unclean.leader.election.interval.ms',
  'unstable.api.versions.enable', 'unstable.feature.versions.enable', 'unstable.metadata.versions.enable',
]);

/** Whole families Gregor has none of yet: TLS, SASL, per-listener overrides, delegation tokens, tiered storage, ZooKeeper, share groups. */
const UNSUPPORTED_BROKER_PREFIXES = [
  'ssl.', 'sasl.', 'listener.name.', 'delegation.token.', 'password.encoder.', 'remote.log.', 'zookeeper.', 'group.share.', 'share.',
  'quota.', 'controller.performance.',
];

const UNSUPPORTED_TOPIC_PROPERTIES = new Set([
  'compression.gzip.level', 'compression.lz4.level', 'compression.zstd.level', 'local.retention.bytes', 'local.retention.ms',
  'message.format.version', 'message.timestamp.difference.max.ms', 'remote.log.copy.disable', 'remote.log.delete.on.disable',
  'remote.storage.enable',
]);

export function isUnsupportedBrokerProperty(name: string): boolean {
  return UNSUPPORTED_BROKER_PROPERTIES.has(name) || UNSUPPORTED_BROKER_PREFIXES.some((prefix) => name.startsWith(prefix));
}

export function isUnsupportedTopicProperty(name: string): boolean {
  return UNSUPPORTED_TOPIC_PROPERTIES.has(name);
}
