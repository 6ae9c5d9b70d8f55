import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { advertisedEndpoints, listenerEndpoints, logManagerConfig, metadataLogDir } from '../config/broker-views.js';
import type { BrokerConfig } from '../config/broker-properties.js';
import { effectiveTopicConfig } from '../config/layers.js';
import { randomUuid } from '../util/uuid.js';
import { METADATA_VERSION_FEATURE, METADATA_VERSION_LEVEL } from '../metadata/controller/metadata-version.js';
import { MetadataImage } from '../metadata/image.js';
import { type LocalMetadata, startLocalMetadata } from '../metadata/local-metadata.js';
import type { FrameHandler } from '../network/connection.js';
import { Listener } from '../network/listener.js';
import { GroupCoordinator } from '../coordinator/group/group-coordinator-driver.js';
import { TransactionCoordinator } from '../coordinator/txn/transaction-coordinator-driver.js';
import { coordinatorPartitionFor } from '../util/coordinator-partition.js';
import { GROUP_METADATA_TOPIC_NAME } from '../metadata/controller/topic-names.js';
import { ReplicaManager } from '../replication/replica-manager.js';
import { timerScheduler } from '../replication/scheduler.js';
import { LogManager } from '../storage/log-manager.js';
import { type Clock, systemClock } from '../util/clock.js';
import { CryptoRandom } from '../util/crypto-random.js';
import { NodeFileSystem } from '../util/node-file-system.js';
import type { Logger } from '../util/logger.js';
import { SILENT_LOGGER } from '../util/logger.js';
import { type ConfigSources, loadConfig } from './broker-config.js';
import { type BrokerServices, brokerConfig } from './broker-services.js';
import { readMetaProperties, formattedClusterId } from './cluster-id.js';
import { dataDirectories, writeMetaProperties } from './format-storage.js';
import { apiVersionsHandler } from './handlers/18-api-versions.js';
import { produceHandler } from './handlers/00-produce.js';
import { fetchHandler } from './handlers/01-fetch.js';
import { listOffsetsHandler } from './handlers/02-list-offsets.js';
import { metadataHandler } from './handlers/03-metadata.js';
import { createTopicsHandler } from './handlers/19-create-topics.js';
import { deleteTopicsHandler } from './handlers/20-delete-topics.js';
import { deleteRecordsHandler } from './handlers/21-delete-records.js';
import { offsetForLeaderEpochHandler } from './handlers/23-offset-for-leader-epoch.js';
import { describeConfigsHandler } from './handlers/32-describe-configs.js';
import { alterConfigsHandler } from './handlers/33-alter-configs.js';
import { describeLogDirsHandler, statfsDiskStats } from './handlers/35-describe-log-dirs.js';
import { createPartitionsHandler } from './handlers/37-create-partitions.js';
import { incrementalAlterConfigsHandler } from './handlers/44-incremental-alter-configs.js';
import { describeClusterHandler } from './handlers/60-describe-cluster.js';
import { describeTopicPartitionsHandler } from './handlers/75-describe-topic-partitions.js';
import { offsetCommitHandler } from './handlers/08-offset-commit.js';
import { offsetFetchHandler } from './handlers/09-offset-fetch.js';
import { findCoordinatorHandler } from './handlers/10-find-coordinator.js';
import { joinGroupHandler } from './handlers/11-join-group.js';
import { heartbeatHandler } from './handlers/12-heartbeat.js';
import { leaveGroupHandler } from './handlers/13-leave-group.js';
import { syncGroupHandler } from './handlers/14-sync-group.js';
import { describeGroupsHandler } from './handlers/15-describe-groups.js';
import { listGroupsHandler } from './handlers/16-list-groups.js';
import { deleteGroupsHandler } from './handlers/42-delete-groups.js';
import { offsetDeleteHandler } from './handlers/47-offset-delete.js';
import { txnOffsetCommitHandler } from './handlers/28-txn-offset-commit.js';
import { consumerGroupHeartbeatHandler } from './handlers/68-consumer-group-heartbeat.js';
import { consumerGroupDescribeHandler } from './handlers/69-consumer-group-describe.js';
import { initProducerIdHandler } from './handlers/22-init-producer-id.js';
import { describeProducersHandler } from './handlers/61-describe-producers.js';
import { addPartitionsToTxnHandler } from './handlers/24-add-partitions-to-txn.js';
import { addOffsetsToTxnHandler } from './handlers/25-add-offsets-to-txn.js';
import { endTxnHandler } from './handlers/26-end-txn.js';
import { describeTransactionsHandler } from './handlers/65-describe-transactions.js';
import { listTransactionsHandler } from './handlers/66-list-transactions.js';
import { writeTxnMarkersHandler } from './handlers/27-write-txn-markers.js';
import { allocateProducerIds } from '../metadata/controller/producer-ids.js';
import { ProducerIdManager } from '../metadata/producer-id-manager.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import type { ApiHandler } from './handlers/handler.js';
import { HandlerRegistry } from './handlers/registry.js';
import { MetadataLog } from './metadata-log.js';
import { createRequestDispatcher } from './request-dispatcher.js';
import { PeriodicTasks } from './periodic-tasks.js';
import { packageVersion } from './version.js';

/** Kafka's SecurityProtocol ids, as broker registrations carry them. */
const SECURITY_PROTOCOL_IDS: Readonly<Record<string, number>> = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 };
/** How long a request may wait, in flight, before its connection stops reading more (backpressure). */
const MAX_QUEUED_RESPONSE_BYTES = 64 * 1024 * 1024;

/** What startup has established before the modules are assembled. */
interface StartContext {
  readonly log: Logger;
  readonly clock: Clock;
  readonly config: BrokerConfig;
  readonly staticProperties: Readonly<Record<string, string>>;
  readonly fs: NodeFileSystem;
  readonly random: CryptoRandom;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly directoryIds: readonly string[];
}

export interface BrokerOptions extends ConfigSources {
  readonly logger?: Logger;
  readonly clock?: Clock;
}

/** A bound listener, with the port it really got (port 0 picks one). */
export interface BoundListener {
  readonly name: string;
  /** As configured: empty when bound to every interface. */
  readonly host: string;
  readonly port: number;
}

/**
 * A running single-node broker: the composition root that builds every module from the
 * configuration, owns startup and shutdown, and nothing else.
 */
export class Broker {
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly nodeId: number,
    readonly clusterId: string,
    readonly listeners: readonly BoundListener[],
    private readonly parts: {
      readonly log: Logger;
      readonly clock: Clock;
      readonly network: readonly Listener[];
      readonly metadata: LocalMetadata;
      readonly replicas: ReplicaManager;
      readonly groups: GroupCoordinator;
      readonly transactions: TransactionCoordinator;
      readonly logManager: LogManager;
      readonly tasks: PeriodicTasks;
    },
  ) {}

  static async start(options: BrokerOptions = {}): Promise<Broker> {
    const log = options.logger ?? SILENT_LOGGER;
    const clock = options.clock ?? systemClock;
    const { config, staticProperties } = await loadConfig(options);
    const fs = new NodeFileSystem();
    const random = new CryptoRandom();
    const nodeId = config['node.id'];

    const dirs = dataDirectories(config);
    let clusterId = formattedClusterId(fs, dirs);
    if (clusterId === null) {
      clusterId = randomUuid(random);
      log.info({ clusterId, dirs }, 'data directories not formatted yet: formatting them with a new cluster id');
    }
    await writeMetaProperties(fs, dirs, clusterId, nodeId, random);
    const directoryIds = [...readMetaProperties(fs, config['log.dirs']).values()].map((m) => m.directoryId);

    // What has started so far, stopped in reverse if a later step fails.
    const started: Array<() => Promise<unknown>> = [];
    try {
      return await Broker.assemble({ log, clock, config, staticProperties, fs, random, nodeId, clusterId, directoryIds }, started);
    } catch (err) {
      for (const stop of started.reverse()) await stop().catch(() => undefined);
      throw err;
    }
  }

  /** Everything after the configuration: listeners, metadata, logs, partitions, handlers and background work. */
  private static async assemble(context: StartContext, started: Array<() => Promise<unknown>>): Promise<Broker> {
    const { log, clock, config, staticProperties, fs, random, nodeId, clusterId, directoryIds } = context;
    let metadata: LocalMetadata | null = null;
    let partitionsUpToDate = (): Promise<void> => Promise.resolve();
    const services: BrokerServices = {
      nodeId,
      clusterId,
      clock,
      random,
      staticProperties,
      image: () => metadata?.loader.image ?? MetadataImage.EMPTY,
      controller: {
        // A write answers once this broker's partitions reflect it too, so that a client told a
        // topic exists (CreateTopics, CreatePartitions, auto-creation) can produce to it at once.
        // Kafka answers before its brokers host the partitions, and clients retry.
        write: async (decide) => {
          if (!metadata) throw new Error('the controller is not running yet');
          const response = await metadata.controller.write(decide);
          await partitionsUpToDate();
          return response;
        },
      },
    };
    const topicConfig = (topic: string, at: MetadataImage) => effectiveTopicConfig(brokerConfig(services, at), Object.fromEntries(at.topicConfigs(topic)));


    // Listeners bind first, so that port 0 is known when the broker registers its endpoints;
    // requests wait until the broker is ready.
    let markReady!: (handler: FrameHandler) => void;
    const ready = new Promise<FrameHandler>((resolve) => (markReady = resolve));
    const gate: FrameHandler = (frame, connection) => ready.then((handler) => handler(frame, connection));
    const network = listenerEndpoints(config).map(
      (endpoint) =>
        new Listener(
          endpoint,
          gate,
          {
            maxRequestBytes: config['socket.request.max.bytes'],
            maxIdleMs: config['connections.max.idle.ms'],
            maxInFlightRequests: config['queued.max.requests'],
            maxQueuedResponseBytes: MAX_QUEUED_RESPONSE_BYTES,
          },
          log.child({ component: 'network', listener: endpoint.listenerName }),
        ),
    );
    started.push(() => Promise.all(network.map((l) => l.close())));
    const bound = await Promise.all(network.map(async (l) => ({ listener: l, address: await l.start() })));
    const listeners = bound.map(({ listener, address }) => ({ name: listener.endpoint.listenerName, host: listener.endpoint.host, port: address.port }));

    const metadataLog = await MetadataLog.open({
      fs,
      clock,
      metadataLogDir: metadataLogDir(config),
      segmentBytes: config['metadata.log.segment.bytes'],
      segmentMs: config['metadata.log.segment.ms'],
    });
    let stopForFatalError: (err: Error) => void = () => {};
    const localMetadata = await startLocalMetadata({
      log: metadataLog,
      fs,
      clock,
      random,
      logger: log,
      nodeId,
      clusterId,
      sessionTimeoutMs: config['broker.session.timeout.ms'],
      uncleanLeaderElection: (topic) => topicConfig(topic, services.image())['unclean.leader.election.enable'],
      maxBytesBetweenSnapshots: config['metadata.log.max.record.bytes.between.snapshots'],
      broker: { listeners: registeredEndpoints(config, bound.map((b) => b.address)), rack: config['broker.rack'], logDirIds: directoryIds },
      onFatalError: (err) => stopForFatalError(err),
    });
    metadata = localMetadata;
    started.push(() => localMetadata.close());

    // Logs load once the metadata is known: their configs come from it, as in Kafka's KRaft mode.
    const logManager = await LogManager.start({
      fs,
      config: logManagerConfig(config),
      topicConfig: (topic) => topicConfig(topic, services.image()),
      clusterId,
      nodeId,
      random,
      now: clock.now(),
      producerIdExpirationMs: () => brokerConfig(services)['producer.id.expiration.ms'],
    });
    started.push(() => logManager.shutdown(clock.now()));

    const replicas = new ReplicaManager({
      nodeId,
      logManager,
      logDirs: config['log.dirs'],
      topicConfig,
      clock,
      scheduler: timerScheduler,
      random,
      logger: log.child({ component: 'replicas' }),
      fetchMaxBytes: config['fetch.max.bytes'],
      fetchSessionCacheSlots: config['max.incremental.fetch.session.cache.slots'],
      fetchSessionEvictionMs: config['min.incremental.fetch.session.eviction.ms'],
    });
    const groups = new GroupCoordinator({
      replicas,
      clock,
      scheduler: timerScheduler,
      random,
      logger: log.child({ component: 'groups' }),
      config: {
        classic: {
          minSessionTimeoutMs: config['group.min.session.timeout.ms'],
          maxSessionTimeoutMs: config['group.max.session.timeout.ms'],
          initialRebalanceDelayMs: config['group.initial.rebalance.delay.ms'],
          maxSize: config['group.max.size'],
          newMemberJoinTimeoutMs: NEW_MEMBER_JOIN_TIMEOUT_MS,
        },
        consumer: {
          sessionTimeoutMs: config['group.consumer.session.timeout.ms'],
          heartbeatIntervalMs: config['group.consumer.heartbeat.interval.ms'],
          maxSize: config['group.consumer.max.size'],
          assignors: config['group.consumer.assignors'],
        },
        offsetMetadataMaxBytes: config['offset.metadata.max.bytes'],
        offsetsRetentionMs: config['offsets.retention.minutes'] * 60_000,
      },
      commitTimeoutMs: config['offsets.commit.timeout.ms'],
    });
    started.push(() => Promise.resolve(groups.close()));
    // A COMMIT or ABORT marker on a __consumer_offsets partition completes the producer's transactional offsets there.
    replicas.setTxnMarkerListener((tp, producerId, commit) => groups.completeTransaction(tp.partition, producerId, commit));
    const transactions = new TransactionCoordinator({
      replicas,
      clock,
      scheduler: timerScheduler,
      logger: log.child({ component: 'transactions' }),
      config: {
        transactionMaxTimeoutMs: config['transaction.max.timeout.ms'],
        transactionalIdExpirationMs: config['transactional.id.expiration.ms'],
        abortTimedOutCheckIntervalMs: config['transaction.abort.timed.out.transaction.cleanup.interval.ms'],
        removeExpiredTransactionalIdsIntervalMs: config['transaction.remove.expired.transaction.cleanup.interval.ms'],
      },
      writeTimeoutMs: TRANSACTION_STATE_WRITE_TIMEOUT_MS,
      // One node leads every partition: markers are appended here, through the path WriteTxnMarkers takes.
      writeMarkers: (entries) => replicas.appendTxnMarkers(entries),
      topicExists: (topic) => replicas.image.topicsByName.has(topic),
    });
    started.push(() => Promise.resolve(transactions.close()));
    await replicas.applyImage(localMetadata.loader.image);
    groups.onPartitionsChanged();
    transactions.onPartitionsChanged();
    partitionsUpToDate = () => replicas.imagesApplied();
    localMetadata.loader.onImage((next) => {
      replicas
        .applyImage(next)
        .then(() => {
          groups.onPartitionsChanged();
          transactions.onPartitionsChanged();
        })
        .catch((err: Error) => log.error({ err: err.message }, 'applying metadata to partitions failed'));
    });

    // Producer ids come from the controller in blocks (AllocateProducerIds).
    const producerIds = new ProducerIdManager(async () => {
      const block = await services.controller.write((image) =>
        allocateProducerIds(image, { brokerId: nodeId, brokerEpoch: image.brokers.get(nodeId)?.epoch ?? -1 }),
      );
      if (block.error.errorCode !== ErrorCode.NONE) throw new Error(block.error.errorMessage ?? `error code ${block.error.errorCode}`);
      return { start: block.producerIdStart, length: block.producerIdLen };
    });
    const registry: HandlerRegistry = new HandlerRegistry(
      [
        apiVersionsHandler(() => registry.ranges(), {
          supported: [{ name: METADATA_VERSION_FEATURE, minVersion: 1, maxVersion: METADATA_VERSION_LEVEL }],
          finalized: () => ({ levels: localMetadata.loader.image.features, epoch: localMetadata.loader.image.offset }),
        }),
        produceHandler(replicas),
        fetchHandler(replicas),
        listOffsetsHandler(replicas),
        metadataHandler(services),
        createTopicsHandler(services),
        deleteTopicsHandler(services),
        deleteRecordsHandler(replicas),
        offsetForLeaderEpochHandler(replicas),
        describeConfigsHandler(services),
        alterConfigsHandler(services),
        describeLogDirsHandler(replicas, statfsDiskStats),
        createPartitionsHandler(services),
        incrementalAlterConfigsHandler(services),
        describeClusterHandler(services),
        describeTopicPartitionsHandler(services),
        offsetCommitHandler(services, groups),
        offsetFetchHandler(groups),
        findCoordinatorHandler(services, replicas),
        joinGroupHandler(groups),
        heartbeatHandler(groups),
        leaveGroupHandler(groups),
        syncGroupHandler(groups),
        describeGroupsHandler(groups),
        listGroupsHandler(groups),
        deleteGroupsHandler(groups),
        offsetDeleteHandler(groups),
        txnOffsetCommitHandler(services, groups),
        consumerGroupHeartbeatHandler(groups),
        consumerGroupDescribeHandler(groups),
        initProducerIdHandler(producerIds, transactions, log.child({ component: 'producer-ids' })),
        addPartitionsToTxnHandler(services, transactions),
        addOffsetsToTxnHandler(transactions, (groupId) =>
          coordinatorPartitionFor(groupId, services.image().topicsByName.get(GROUP_METADATA_TOPIC_NAME)?.partitions.size ?? config['offsets.topic.num.partitions']),
        ),
        endTxnHandler(transactions),
        describeTransactionsHandler(transactions),
        listTransactionsHandler(transactions, () => clock.now()),
        describeProducersHandler(replicas),
        writeTxnMarkersHandler(replicas),
      ] as ApiHandler[],
    );

    const tasks = new PeriodicTasks(log.child({ component: 'tasks' }));
    started.push(() => tasks.stop());
    tasks.every(config['broker.heartbeat.interval.ms'], () => localMetadata.broker.heartbeat());
    tasks.every(config['offsets.retention.check.interval.ms'], () => groups.expireOffsets());
    tasks.every(Math.min(config['log.retention.check.interval.ms'], 1000), () => logManager.tick(clock.now()));
    if (logManager.cleaner) {
      const cleaner = logManager.cleaner;
      tasks.every(config['log.cleaner.backoff.ms'], () => cleaner.work(clock.now(), CLEANER_BYTES_PER_TURN));
    }

    const broker = new Broker(nodeId, clusterId, listeners, { log, clock, network, metadata: localMetadata, replicas, groups, transactions, logManager, tasks });
    stopForFatalError = (err) => {
      log.error({ err: err.message }, 'the metadata log failed: stopping the broker');
      void broker.stop();
    };
    markReady(createRequestDispatcher(registry));
    log.info(
      { nodeId, clusterId, listeners: listeners.map((l) => `${l.name}://${l.host}:${l.port}`) },
      `Gregor ${GREGOR_VERSION} started as node ${nodeId} of cluster ${clusterId}, listening on ${listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(', ')}`,
    );
    return broker;
  }

  /** Drains in-flight requests, stops background work, flushes and writes the clean-shutdown marker. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const { network, tasks, replicas, groups, transactions, metadata, logManager, clock } = this.parts;
    groups.close();
    transactions.close();
    replicas.expireDelayed();
    await Promise.all(network.map((l) => l.close()));
    await tasks.stop();
    await metadata.close();
    await logManager.shutdown(clock.now());
  }
}

/** How long an append to __transaction_state may wait for the replicas (Kafka's transaction request timeout). */
const TRANSACTION_STATE_WRITE_TIMEOUT_MS = 30_000;

/** How long a new member's JoinGroup may wait for its group's rebalance (Kafka's fixed 5 minutes). */
const NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;

/** The bytes the cleaner may compact per turn, so that appends are never held up for long. */
const CLEANER_BYTES_PER_TURN = 16 * 1024 * 1024;

/** This broker's advertised endpoints, with the ports the listeners really bound. */
function registeredEndpoints(config: BrokerConfig, bound: readonly AddressInfo[]) {
  const listenerPorts = new Map(listenerEndpoints(config).map((l, i) => [l.listenerName, bound[i].port]));
  return advertisedEndpoints(config).map((e) => ({
    name: e.listenerName,
    host: e.host === '' ? ADVERTISED_DEFAULT_HOST : e.host,
    port: e.port === 0 ? (listenerPorts.get(e.listenerName) ?? 0) : e.port,
    securityProtocol: SECURITY_PROTOCOL_IDS[e.securityProtocol],
  }));
}

/** Kafka advertises the canonical host name for a listener bound to every interface. */
const ADVERTISED_DEFAULT_HOST = hostname();

export const GREGOR_VERSION = packageVersion();

/** Starts a broker in this process: see docs/embedding.md. */
export function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  return Broker.start(options);
}
