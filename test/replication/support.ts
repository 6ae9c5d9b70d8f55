import { effectiveTopicConfig, resolveBrokerConfig, staticLayers } from '../../src/config/layers.js';
import type { MetadataImage } from '../../src/metadata/image.js';
import { ConfigResourceType } from '../../src/protocol/config-resource-type.js';
import { createConfigRecord } from '../../src/protocol/generated/metadata/config-record.js';
import { createPartitionChangeRecord } from '../../src/protocol/generated/metadata/partition-change-record.js';
import { createPartitionRecord } from '../../src/protocol/generated/metadata/partition-record.js';
import { createRemoveTopicRecord } from '../../src/protocol/generated/metadata/remove-topic-record.js';
import { createTopicRecord } from '../../src/protocol/generated/metadata/topic-record.js';
import { MetadataRecordType, type MetadataRecord } from '../../src/protocol/generated/records.js';
import { buildRecordBatch, type RecordInput } from '../../src/protocol/records/batch-builder.js';
import type { CompressionType } from '../../src/protocol/records/batch-header.js';
import type { Scheduler } from '../../src/replication/scheduler.js';
import { ReplicaManager, type ReplicaManagerParams } from '../../src/replication/replica-manager.js';
import type { ReplicaTopicConfig } from '../../src/replication/topic-config.js';
import { DEFAULT_LOG_MANAGER_CONFIG } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { ManualClock } from '../../src/util/clock.js';
import { SILENT_LOGGER } from '../../src/util/logger.js';
import { MemoryFileSystem } from '../../src/util/memory-file-system.js';
import { SeededRandom } from '../../src/util/random.js';
import { clusterOf, replay } from '../metadata/controller/support.js';

/** A scheduler whose tasks run only when the test moves its clock. */
export class ManualScheduler implements Scheduler {
  private tasks: { dueMs: number; task: () => void; cancelled: boolean }[] = [];

  constructor(private readonly clock: ManualClock) {}

  schedule(delayMs: number, task: () => void): () => void {
    const entry = { dueMs: this.clock.now() + Math.max(0, delayMs), task, cancelled: false };
    this.tasks.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Tasks neither run nor cancelled. */
  get pending(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  /** Moves the clock by `ms` and runs every task that falls due, earliest first. */
  advance(ms: number): void {
    this.clock.advance(ms);
    const due = this.tasks.filter((t) => !t.cancelled && t.dueMs <= this.clock.now()).sort((a, b) => a.dueMs - b.dueMs);
    this.tasks = this.tasks.filter((t) => !t.cancelled && t.dueMs > this.clock.now());
    for (const t of due) t.task();
  }
}

/** The broker's configuration of a topic in `image`, through the config layer as the broker computes it. */
export function topicConfigIn(image: MetadataImage, topic: string): ReplicaTopicConfig {
  return effectiveTopicConfig(resolveBrokerConfig(staticLayers({})), Object.fromEntries(image.topicConfigs(topic)));
}

export const LOG_DIR = '/data';
export const NODE_ID = 1;

export interface TopicSpec {
  readonly partitions?: number;
  readonly replicas?: readonly number[];
  readonly isr?: readonly number[];
  readonly leader?: number;
  readonly leaderEpoch?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

/** A single broker's data plane over an in-memory disk, a manual clock and a manual scheduler. */
export class DataPlane {
  private nextTopicId = 1;

  private constructor(
    readonly fs: MemoryFileSystem,
    readonly logManager: LogManager,
    readonly replicas: ReplicaManager,
    readonly clock: ManualClock,
    readonly scheduler: ManualScheduler,
    /** The image the broker's config functions read, as the composition root keeps it. */
    private readonly current: { image: MetadataImage },
  ) {}

  get image(): MetadataImage {
    return this.current.image;
  }

  static async start(
    options: { brokers?: readonly number[]; fs?: MemoryFileSystem; clock?: ManualClock; params?: Partial<ReplicaManagerParams> } = {},
  ): Promise<DataPlane> {
    const clock = options.clock ?? new ManualClock(1_700_000_000_000);
    let fs = options.fs;
    if (fs === undefined) {
      fs = new MemoryFileSystem(clock, new SeededRandom(3));
      fs.mkdir(LOG_DIR);
      await fs.syncDir('/');
    }
    const scheduler = new ManualScheduler(clock);
    const current = { image: clusterOf(...(options.brokers ?? [NODE_ID])) };
    const logManager = await LogManager.start({
      fs,
      config: { ...DEFAULT_LOG_MANAGER_CONFIG, 'log.dirs': [LOG_DIR], 'log.cleaner.enable': false },
      topicConfig: (topic) => topicConfigIn(current.image, topic),
      clusterId: 'test-cluster-id-000000',
      nodeId: NODE_ID,
      random: new SeededRandom(5),
      now: clock.now(),
    });
    const replicas = new ReplicaManager({
      nodeId: NODE_ID,
      logManager,
      logDirs: [LOG_DIR],
      topicConfig: (topic, img) => topicConfigIn(img, topic),
      clock,
      scheduler,
      random: new SeededRandom(11),
      logger: SILENT_LOGGER,
      fetchMaxBytes: 55 * 1024 * 1024,
      ...options.params,
    });
    await replicas.applyImage(current.image);
    return new DataPlane(fs, logManager, replicas, clock, scheduler, current);
  }

  /** Replays metadata records and hands the new image to the replica manager. */
  async apply(records: readonly MetadataRecord[]): Promise<void> {
    this.current.image = replay(this.image, records);
    await this.replicas.applyImage(this.image);
  }

  /** Creates a topic led by this broker unless said otherwise; returns its id. */
  async createTopic(name: string, spec: TopicSpec = {}): Promise<string> {
    const topicId = topicIdOf(this.nextTopicId++);
    const replicas = spec.replicas ?? [NODE_ID];
    await this.apply([
      { type: MetadataRecordType.TopicRecord, version: 0, data: createTopicRecord({ name, topicId }) },
      ...Object.entries(spec.configs ?? {}).map(([key, value]) => configRecord(name, key, value)),
      ...Array.from({ length: spec.partitions ?? 1 }, (_, partitionId): MetadataRecord => ({
        type: MetadataRecordType.PartitionRecord,
        version: 1,
        data: createPartitionRecord({
          partitionId,
          topicId,
          replicas: [...replicas],
          isr: [...(spec.isr ?? replicas)],
          leader: spec.leader ?? replicas[0],
          leaderEpoch: spec.leaderEpoch ?? 0,
          partitionEpoch: 0,
        }),
      })),
    ]);
    return topicId;
  }

  async setConfig(topic: string, key: string, value: string | null): Promise<void> {
    await this.apply([configRecord(topic, key, value)]);
  }

  async deleteTopic(name: string): Promise<void> {
    const topicId = this.image.topicsByName.get(name)!.id;
    await this.apply([{ type: MetadataRecordType.RemoveTopicRecord, version: 0, data: createRemoveTopicRecord({ topicId }) }]);
  }

  /** A new leader (bumping the leader epoch), and optionally a new ISR. */
  async changeLeader(topic: string, partition: number, leader: number, isr?: readonly number[]): Promise<void> {
    const topicId = this.image.topicsByName.get(topic)!.id;
    const change = createPartitionChangeRecord({ topicId, partitionId: partition, leader, isr: isr === undefined ? null : [...isr] });
    await this.apply([{ type: MetadataRecordType.PartitionChangeRecord, version: 1, data: change }]);
  }

  /** Appends `records` to a partition with acks=1 and returns the result. */
  async produce(topic: string, partition: number, records: Buffer, acks = 1) {
    const [result] = await this.replicas.appendRecords({ acks, timeoutMs: 30_000, internalTopicsAllowed: false, entries: [{ topic, partition, records }] });
    return result;
  }
}

function configRecord(topic: string, name: string, value: string | null): MetadataRecord {
  return {
    type: MetadataRecordType.ConfigRecord,
    version: 0,
    data: createConfigRecord({ resourceType: ConfigResourceType.TOPIC, resourceName: topic, name, value }),
  };
}

export function topicIdOf(n: number): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32BE(0x42000000 + n, 0);
  bytes.writeUInt32BE(n, 12);
  return bytes.toString('base64url');
}

/** A producer's batch of string records, timestamps `now` unless given. */
export function batchOf(
  values: readonly (string | { key?: string | null; value: string | null; timestamp?: number; headers?: RecordInput['headers'] })[],
  options: {
    timestamp?: number;
    compression?: CompressionType;
    logAppendTime?: number;
    producerId?: number;
    producerEpoch?: number;
    baseSequence?: number;
    isTransactional?: boolean;
  } = {},
): Buffer {
  return buildRecordBatch({
    records: values.map((v) => {
      const spec = typeof v === 'string' ? { value: v } : v;
      const key = spec.key === undefined ? 'k' : spec.key;
      return {
        key: key === null ? null : Buffer.from(key),
        value: spec.value === null ? null : Buffer.from(spec.value),
        headers: spec.headers,
        timestamp: spec.timestamp ?? options.timestamp ?? 1_700_000_000_000,
      };
    }),
    compression: options.compression,
    logAppendTime: options.logAppendTime,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: options.baseSequence,
    isTransactional: options.isTransactional,
  });
}
