import { ConfigResourceType } from '../../../src/protocol/config-resource-type.js';
import { createAllocateProducerIdsRequest } from '../../../src/protocol/generated/clients/allocate-producer-ids-request.js';
import { createBrokerHeartbeatRequest } from '../../../src/protocol/generated/clients/broker-heartbeat-request.js';
import {
  createBrokerRegistrationRequest,
  createBrokerRegistrationRequestFeature,
  createBrokerRegistrationRequestListener,
} from '../../../src/protocol/generated/clients/broker-registration-request.js';
import {
  createCreatePartitionsRequest,
  createCreatePartitionsRequestCreatePartitionsTopic,
} from '../../../src/protocol/generated/clients/create-partitions-request.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../../../src/protocol/generated/clients/create-topics-request.js';
import { createDeleteTopicsRequest } from '../../../src/protocol/generated/clients/delete-topics-request.js';
import type { MetadataRecord } from '../../../src/protocol/generated/records.js';
import { BrokerLifecycle, type BrokerLifecycleOptions } from '../../../src/metadata/controller/broker-lifecycle.js';
import { changeConfigs } from '../../../src/metadata/controller/config-changes.js';
import { createPartitions } from '../../../src/metadata/controller/create-partitions.js';
import { createTopics } from '../../../src/metadata/controller/create-topics.js';
import { deleteTopics } from '../../../src/metadata/controller/delete-topics.js';
import { METADATA_VERSION_FEATURE, METADATA_VERSION_LEVEL } from '../../../src/metadata/controller/metadata-version.js';
import { allocateProducerIds } from '../../../src/metadata/controller/producer-ids.js';
import { randomUuid } from '../../../src/util/uuid.js';
import { MetadataDelta } from '../../../src/metadata/delta.js';
import type { MetadataImage } from '../../../src/metadata/image.js';
import type { ControllerDecision } from '../../../src/metadata/quorum-controller.js';
import type { SeededRandom } from '../../../src/util/random.js';
import { logDir, topicOptions } from '../controller/support.js';

export const CLUSTER_ID = 'gregor-test-cluster-0';

export const LIFECYCLE_OPTIONS: BrokerLifecycleOptions = {
  clusterId: CLUSTER_ID,
  sessionTimeoutMs: 9000,
  uncleanLeaderElection: () => false,
};

const TOPICS = ['orders', 'payments', 'users', 'audit.log', 'events_v2', 'clicks'];
const BROKERS = [1, 2, 3];

/**
 * Random controller decisions over a small cluster (brokers 1-3, a handful of topic names):
 * registrations, heartbeats that fence and unfence, topic creation and deletion, new partitions,
 * config changes and producer id blocks. Each decision looks at the image it is given, so it
 * is valid wherever it runs: on a pure image or through the QuorumController.
 */
export class Workload {
  constructor(
    private readonly random: SeededRandom,
    private readonly now: () => number,
  ) {}

  next(image: MetadataImage): { name: string; decide: ControllerDecision<unknown> } {
    const r = this.random;
    const registered = [...image.brokers.keys()];
    const topics = [...image.topicsByName.keys()];
    const choice = registered.length === 0 ? 0 : r.int(8);
    switch (choice) {
      case 0: {
        const brokerId = r.pick(BROKERS);
        const request = createBrokerRegistrationRequest({
          brokerId,
          clusterId: CLUSTER_ID,
          incarnationId: randomUuid(r),
          listeners: [createBrokerRegistrationRequestListener({ name: 'PLAINTEXT', host: 'localhost', port: 9090 + brokerId, securityProtocol: 0 })],
          features: [createBrokerRegistrationRequestFeature({ name: METADATA_VERSION_FEATURE, minSupportedVersion: 1, maxSupportedVersion: METADATA_VERSION_LEVEL })],
          rack: r.chance(0.5) ? null : `rack-${brokerId}`,
          logDirs: [logDir(brokerId)],
        });
        return { name: `register ${brokerId}`, decide: (img, { nextOffset, brokers }) => brokers.register(img, request, nextOffset, this.now()) };
      }
      case 1:
      case 2: {
        const brokerId = r.pick(registered);
        const wantFence = r.chance(0.2);
        return {
          name: `heartbeat ${brokerId}${wantFence ? ' (fence)' : ''}`,
          decide: (img, { nextOffset, brokers }) => {
            const epoch = img.brokers.get(brokerId)?.epoch ?? -1;
            const request = createBrokerHeartbeatRequest({ brokerId, brokerEpoch: epoch, currentMetadataOffset: img.offset + 1000, wantFence });
            return brokers.heartbeat(img, request, nextOffset, this.now());
          },
        };
      }
      case 3: {
        const name = r.pick(TOPICS);
        const topic = createCreateTopicsRequestCreatableTopic({ name, numPartitions: r.between(1, 4), replicationFactor: r.pick([-1, 1, 2]) });
        const options = topicOptions({ random: r });
        return { name: `create ${name}`, decide: (img) => createTopics(img, createCreateTopicsRequest({ topics: [topic] }), options) };
      }
      case 4: {
        if (topics.length === 0) return this.next(image);
        const name = r.pick(topics);
        return { name: `delete ${name}`, decide: (img) => deleteTopics(img, createDeleteTopicsRequest({ topicNames: [name] }), 5, true) };
      }
      case 5: {
        if (topics.length === 0) return this.next(image);
        const name = r.pick(topics);
        const count = (image.topicsByName.get(name)?.partitions.size ?? 0) + r.between(1, 2);
        const request = createCreatePartitionsRequest({ topics: [createCreatePartitionsRequestCreatePartitionsTopic({ name, count, assignments: null })] });
        return { name: `partitions ${name} -> ${count}`, decide: (img) => createPartitions(img, request, r) };
      }
      case 6: {
        const onTopic = topics.length > 0 && r.chance(0.6);
        const resource = onTopic
          ? { type: ConfigResourceType.TOPIC, name: r.pick(topics) }
          : { type: ConfigResourceType.BROKER, name: r.chance(0.5) ? '' : String(r.pick(registered)) };
        const value = r.chance(0.25) ? null : String(r.between(1, 10) * 1000);
        return {
          name: `config ${resource.type}:${resource.name} retention.ms=${value}`,
          decide: (img) =>
            changeConfigs(img, resource, (current) => {
              const next = { ...current };
              if (value === null) delete next['retention.ms'];
              else next['retention.ms'] = value;
              return { ok: true, configs: next };
            }),
        };
      }
      default: {
        const brokerId = r.pick(registered);
        return {
          name: `producer ids for ${brokerId}`,
          decide: (img) => allocateProducerIds(img, createAllocateProducerIdsRequest({ brokerId, brokerEpoch: img.brokers.get(brokerId)?.epoch ?? -1 })),
        };
      }
    }
  }
}

/** Runs decisions on a plain image, as the controller would, without a log. */
export class PureController {
  image: MetadataImage;
  readonly brokers: BrokerLifecycle;
  readonly written: MetadataRecord[][] = [];

  constructor(image: MetadataImage, now: number) {
    this.image = image;
    this.brokers = new BrokerLifecycle(LIFECYCLE_OPTIONS, image, now);
  }

  run(decide: ControllerDecision<unknown>): void {
    const nextOffset = this.image.offset + 1;
    const { records } = decide(this.image, { nextOffset, brokers: this.brokers });
    if (records.length === 0) return;
    const delta = new MetadataDelta(this.image);
    records.forEach((record, i) => delta.replay(record, nextOffset + i));
    this.image = delta.apply();
    this.written.push([...records]);
  }
}

/** The image's content without its offset, for comparing a replayed image with a live one. */
export function stateOf(image: MetadataImage) {
  const { offset: _offset, ...state } = image;
  return state;
}
