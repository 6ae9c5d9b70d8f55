import { createCreateTopicsResponseCreatableTopicConfigs } from '../../../src/protocol/generated/clients/create-topics-response.js';
import {
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableReplicaAssignment,
  createCreateTopicsRequestCreatableTopic,
} from '../../../src/protocol/generated/clients/create-topics-request.js';
import { createBrokerRegistrationChangeRecord } from '../../../src/protocol/generated/metadata/broker-registration-change-record.js';
import {
  createRegisterBrokerRecord,
  createRegisterBrokerRecordBrokerEndpoint,
} from '../../../src/protocol/generated/metadata/register-broker-record.js';
import { MetadataRecordType, type MetadataRecord } from '../../../src/protocol/generated/records.js';
import { MetadataDelta } from '../../../src/metadata/delta.js';
import { MetadataImage, type PartitionImage } from '../../../src/metadata/image.js';
import { bootstrapRecords } from '../../../src/metadata/controller/bootstrap.js';
import { type CreateTopicsOptions, createTopics } from '../../../src/metadata/controller/create-topics.js';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../../src/metadata/record-serde.js';
import { SeededRandom } from '../../../src/util/random.js';

/**
 * Appends `records` after the image's offset and replays them, as the controller's caller does.
 * Every record goes through the metadata record codec first, which proves it can be written at
 * the version it carries.
 */
export function replay(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  const delta = new MetadataDelta(image);
  records.forEach((record, i) => delta.replay(decodeMetadataRecord(encodeMetadataRecord(record)), image.offset + 1 + i));
  return delta.apply();
}

/** A log directory id of `brokerId`, distinct per broker and index, never a reserved one. */
export function logDir(brokerId: number, index = 0): string {
  const bytes = Buffer.alloc(16, 0x11);
  bytes.writeInt32BE(brokerId, 0);
  bytes[4] = index;
  return bytes.toString('base64url');
}

export interface BrokerSpec {
  readonly id: number;
  readonly fenced?: boolean;
  readonly inControlledShutdown?: boolean;
  readonly logDirs?: readonly string[];
}

/** A bootstrapped cluster with these brokers registered, unfenced unless said otherwise. */
export function clusterOf(...brokers: (number | BrokerSpec)[]): MetadataImage {
  let image = replay(MetadataImage.EMPTY, bootstrapRecords());
  for (const spec of brokers) {
    const { id, fenced = false, inControlledShutdown = false, logDirs = [logDir(id)] } = typeof spec === 'number' ? { id: spec } : spec;
    const register: MetadataRecord = {
      type: MetadataRecordType.RegisterBrokerRecord,
      version: 3,
      data: createRegisterBrokerRecord({
        brokerId: id,
        incarnationId: logDir(id, 99),
        brokerEpoch: image.offset + 1,
        endPoints: [createRegisterBrokerRecordBrokerEndpoint({ name: 'PLAINTEXT', host: 'localhost', port: 9092 + id })],
        fenced,
        inControlledShutdown,
        logDirs: [...logDirs],
      }),
    };
    image = replay(image, [register]);
  }
  return image;
}

/** Marks a broker fenced, as a BrokerRegistrationChangeRecord would. */
export function fence(image: MetadataImage, brokerId: number): MetadataImage {
  const change = createBrokerRegistrationChangeRecord({ brokerId, brokerEpoch: image.brokers.get(brokerId)!.epoch, fenced: 1 });
  return replay(image, [{ type: MetadataRecordType.BrokerRegistrationChangeRecord, version: 0, data: change }]);
}

/** CreateTopics ports that accept any config and describe a topic by its overrides alone. */
export function topicOptions(overrides: Partial<CreateTopicsOptions> = {}): CreateTopicsOptions {
  return {
    random: new SeededRandom(7),
    defaultNumPartitions: 1,
    defaultReplicationFactor: 1,
    validateTopicConfigs: (_name, configs) => ({ ok: true, configs: Object.fromEntries(configs.map((c) => [c.name, c.value])) }),
    describeTopicConfigs: (configs) =>
      Object.entries(configs)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => createCreateTopicsResponseCreatableTopicConfigs({ name, value, configSource: 1 })),
    ...overrides,
  };
}

/** The image with one more topic, created through CreateTopics. */
export function withTopic(image: MetadataImage, name: string, numPartitions: number, replicationFactor: number, random = new SeededRandom(1)): MetadataImage {
  const request = createCreateTopicsRequest({ topics: [createCreateTopicsRequestCreatableTopic({ name, numPartitions, replicationFactor })] });
  const { response, records } = createTopics(image, request, topicOptions({ random }));
  if (response[0].errorCode !== 0) throw new Error(`cannot create ${name}: ${response[0].errorMessage}`);
  return replay(image, records);
}

/** The image with one more topic whose partition `i` has replicas `assignments[i]`, all of them in the ISR when active. */
export function withAssignedTopic(image: MetadataImage, name: string, assignments: number[][]): MetadataImage {
  const topic = createCreateTopicsRequestCreatableTopic({
    name,
    numPartitions: -1,
    replicationFactor: -1,
    assignments: assignments.map((brokerIds, partitionIndex) => createCreateTopicsRequestCreatableReplicaAssignment({ partitionIndex, brokerIds })),
  });
  const { response, records } = createTopics(image, createCreateTopicsRequest({ topics: [topic] }), topicOptions());
  if (response[0].errorCode !== 0) throw new Error(`cannot create ${name}: ${response[0].errorMessage}`);
  return replay(image, records);
}

export function partition(image: MetadataImage, topic: string, partitionId: number): PartitionImage {
  const found = image.topicsByName.get(topic)?.partitions.get(partitionId);
  if (found === undefined) throw new Error(`no partition ${topic}-${partitionId}`);
  return found;
}

/** The type names of records, for asserting what was written in which order. */
export function typesOf(records: readonly MetadataRecord[]): string[] {
  const names = new Map<number, string>(Object.entries(MetadataRecordType).map(([name, type]) => [type, name]));
  return records.map((r) => names.get(r.type)!);
}
