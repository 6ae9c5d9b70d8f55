import { ZERO_UUID } from '../../protocol/codec-runtime.js';
import type { CreateTopicsRequest, CreateTopicsRequestCreatableTopic } from '../../protocol/generated/clients/create-topics-request.js';
import {
  type CreateTopicsResponseCreatableTopicConfigs,
  type CreateTopicsResponseCreatableTopicResult,
  createCreateTopicsResponseCreatableTopicResult,
} from '../../protocol/generated/clients/create-topics-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { createTopicRecord } from '../../protocol/generated/metadata/topic-record.js';
import { MetadataRecordType, type MetadataRecord } from '../../protocol/generated/records.js';
import { ConfigResourceType } from '../../protocol/config-resource-type.js';
import type { Random } from '../../util/random.js';
import type { MetadataImage } from '../image.js';
import { type ApiError, apiError, thrownApiError } from './api-error.js';
import { type ConfigOverrides, configRecord } from './config-changes.js';
import { initialIsr, manualAssignmentProblem, newPartitionRecord } from './new-partitions.js';
import { type ControllerResult, MAX_RECORDS_PER_USER_OP, metadataRecord } from './records.js';
import { replicaPlacer } from './replica-placer.js';
import { CLUSTER_METADATA_TOPIC_NAME, collisionKey, invalidTopicNameMessage } from './topic-names.js';
import { randomUuid } from '../../util/uuid.js';

export interface CreateTopicsOptions {
  /** Draws topic ids and replica placements. */
  readonly random: Random;
  /** num.partitions: the partition count of a topic that asks for -1. */
  readonly defaultNumPartitions: number;
  /** default.replication.factor: the replication factor of a topic that asks for -1. */
  readonly defaultReplicationFactor: number;
  /** Validates the configs of a new topic: its override set, or the error to answer (INVALID_CONFIG, ...). */
  readonly validateTopicConfigs: (topicName: string, configs: readonly { name: string; value: string }[]) => ConfigOverrides;
  /** The configs CreateTopics v5+ returns for a topic created with `overrides`, sorted by name. */
  readonly describeTopicConfigs: (overrides: Readonly<Record<string, string>>) => CreateTopicsResponseCreatableTopicConfigs[];
}

type TopicResult = CreateTopicsResponseCreatableTopicResult;
/** The operation would write more records than one batch may hold: the whole request fails. */
const TOO_LARGE = Symbol('too large');

/**
 * CreateTopics, every version, as Kafka's controller decides it (ControllerApis.createTopics and
 * ReplicationControlManager.createTopics): one result per distinct name, in the order the names
 * first appear. For each topic, in Kafka's order: a name given twice, __cluster_metadata, an
 * illegal name, an existing topic, a name colliding with another on '.' / '_', null or invalid
 * configs, then the partitions: a manual assignment, or a count and replication factor where -1
 * means the broker default (at every version: Kafka's own client refuses to send -1 below v4,
 * but the broker never checked). validateOnly answers the same and writes nothing.
 *
 * Gregor differs from Kafka in three places: names colliding with a topic created earlier in the
 * same request are refused too (Kafka checks existing topics only); a validateOnly result carries
 * the zero topic id instead of a random one no topic will have; results are not reordered.
 */
export function createTopics(
  image: MetadataImage,
  request: CreateTopicsRequest,
  options: CreateTopicsOptions,
): ControllerResult<TopicResult[]> {
  const creation = new TopicCreation(image, options);
  const occurrences = new Map<string, number>();
  for (const { name } of request.topics) occurrences.set(name, (occurrences.get(name) ?? 0) + 1);

  const results = new Map<string, TopicResult>();
  for (const topic of request.topics) {
    if (results.has(topic.name)) continue;
    let result: TopicResult | typeof TOO_LARGE;
    if (occurrences.get(topic.name)! > 1) {
      result = failed(topic.name, apiError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));
    } else if (topic.name === CLUSTER_METADATA_TOPIC_NAME) {
      const message = `Creation of internal topic ${CLUSTER_METADATA_TOPIC_NAME} is prohibited.`;
      result = failed(topic.name, apiError(ErrorCode.INVALID_REQUEST, message));
    } else {
      result = creation.create(topic, request.validateOnly);
    }
    if (result === TOO_LARGE) {
      const error = thrownApiError(ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.');
      return { response: [...occurrences.keys()].map((name) => failed(name, error)), records: [] };
    }
    results.set(topic.name, result);
  }
  return { response: [...results.values()], records: request.validateOnly ? [] : creation.records };
}

/** The topics of one request created so far: their records, names and ids. */
class TopicCreation {
  readonly records: MetadataRecord[] = [];
  /** Collision key -> the topic holding it. */
  private readonly collisions = new Map<string, string>();
  private readonly takenIds: Set<string>;

  constructor(
    private readonly image: MetadataImage,
    private readonly options: CreateTopicsOptions,
  ) {
    for (const name of image.topicsByName.keys()) this.claimName(name);
    this.takenIds = new Set(image.topicsById.keys());
  }

  create(topic: CreateTopicsRequestCreatableTopic, validateOnly: boolean): TopicResult | typeof TOO_LARGE {
    const { name } = topic;
    const invalidName = invalidTopicNameMessage(name);
    if (invalidName !== null) return failed(name, apiError(ErrorCode.INVALID_TOPIC_EXCEPTION, invalidName));
    if (this.image.topicsByName.has(name)) return failed(name, apiError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`));
    const key = collisionKey(name);
    const colliding = key === null ? undefined : this.collisions.get(key);
    if (colliding !== undefined) {
      return failed(name, apiError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${colliding}`));
    }

    const overrides = this.overrides(topic);
    if (!('configs' in overrides)) return failed(name, overrides);
    const partitions = this.partitions(topic, Object.keys(overrides.configs).length);
    if (partitions === TOO_LARGE) return TOO_LARGE;
    if (!Array.isArray(partitions)) return failed(name, partitions);

    const topicId = this.newTopicId();
    this.records.push(metadataRecord(MetadataRecordType.TopicRecord, createTopicRecord({ name, topicId })));
    const resource = { type: ConfigResourceType.TOPIC, name };
    for (const [config, value] of Object.entries(overrides.configs)) this.records.push(configRecord(resource, config, value));
    partitions.forEach(({ replicas, isr }, partitionId) => {
      this.records.push(newPartitionRecord(this.image, topicId, partitionId, replicas, isr));
    });
    this.claimName(name);
    return createCreateTopicsResponseCreatableTopicResult({
      name,
      topicId: validateOnly ? ZERO_UUID : topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: partitions.length,
      replicationFactor: partitions[0].replicas.length,
      configs: this.options.describeTopicConfigs(overrides.configs),
    });
  }

  /** The topic's config overrides, validated (ReplicationControlManager.computeConfigChanges and the validator). */
  private overrides(topic: CreateTopicsRequestCreatableTopic): { configs: Readonly<Record<string, string>> } | ApiError {
    const nullValued = topic.configs.filter((c) => c.value === null).map((c) => c.name);
    if (nullValued.length > 0) {
      return apiError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${nullValued.join(',')}`);
    }
    if (topic.configs.length === 0) return { configs: {} };
    const checked = this.options.validateTopicConfigs(topic.name, topic.configs as { name: string; value: string }[]);
    return checked.ok ? { configs: checked.configs } : thrownApiError(checked.error.errorCode, checked.error.message);
  }

  /** The replicas and ISR of each new partition, by partition id, or why there are none. */
  private partitions(topic: CreateTopicsRequestCreatableTopic, configRecords: number): NewPartition[] | ApiError | typeof TOO_LARGE {
    const fits = (numPartitions: number) => this.records.length + 1 + configRecords + numPartitions <= MAX_RECORDS_PER_USER_OP;
    if (topic.assignments.length > 0) {
      const partitions = manualPartitions(this.image, topic);
      return Array.isArray(partitions) && !fits(partitions.length) ? TOO_LARGE : partitions;
    }
    if (topic.replicationFactor < -1 || topic.replicationFactor === 0) {
      return apiError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
    }
    if (topic.numPartitions < -1 || topic.numPartitions === 0) {
      return apiError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
    }
    const numPartitions = topic.numPartitions === -1 ? this.options.defaultNumPartitions : topic.numPartitions;
    const replicationFactor = topic.replicationFactor === -1 ? this.options.defaultReplicationFactor : topic.replicationFactor;
    const placer = replicaPlacer(this.image, this.options.random, replicationFactor);
    if (!placer.ok) {
      const message = `Unable to replicate the partition ${replicationFactor} time(s): ${placer.reason}`;
      return apiError(ErrorCode.INVALID_REPLICATION_FACTOR, message);
    }
    if (!fits(numPartitions)) return TOO_LARGE;
    return placer.place(numPartitions).map((replicas) => ({ replicas, isr: initialIsr(this.image, replicas) }));
  }

  private newTopicId(): string {
    let id: string;
    do id = randomUuid(this.options.random);
    while (this.takenIds.has(id));
    this.takenIds.add(id);
    return id;
  }

  private claimName(name: string): void {
    const key = collisionKey(name);
    if (key !== null && !this.collisions.has(key)) this.collisions.set(key, name);
  }
}

interface NewPartition {
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** A manual assignment checked as Kafka's createTopic does, partition by partition. */
function manualPartitions(image: MetadataImage, topic: CreateTopicsRequestCreatableTopic): NewPartition[] | ApiError {
  if (topic.replicationFactor !== -1) {
    return apiError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replication factor was not set to -1.');
  }
  if (topic.numPartitions !== -1) {
    return apiError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.');
  }
  const byIndex = new Map<number, NewPartition>();
  let replicationFactor: number | null = null;
  for (const { partitionIndex, brokerIds } of topic.assignments) {
    if (byIndex.has(partitionIndex)) {
      return apiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Found multiple manual partition assignments for partition ${partitionIndex}`);
    }
    const problem = manualAssignmentProblem(image, brokerIds, replicationFactor);
    if (problem !== null) return thrownApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
    replicationFactor = brokerIds.length;
    const isr = initialIsr(image, brokerIds);
    if (isr.length === 0) {
      return apiError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `All brokers specified in the manual partition assignment for partition ${partitionIndex} are fenced or in controlled shutdown.`,
      );
    }
    byIndex.set(partitionIndex, { replicas: brokerIds, isr });
  }
  const partitions: NewPartition[] = [];
  for (let i = 0; i < byIndex.size; i++) {
    const partition = byIndex.get(i);
    if (partition === undefined) {
      return apiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence');
    }
    partitions.push(partition);
  }
  return partitions;
}

function failed(name: string, error: ApiError): TopicResult {
  return createCreateTopicsResponseCreatableTopicResult({ name, ...error });
}
