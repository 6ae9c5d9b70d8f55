import { describe, expect, it } from 'vitest';
import { createBrokerHeartbeatRequest, type BrokerHeartbeatRequest } from '../../../src/protocol/generated/clients/broker-heartbeat-request.js';
import {
  type BrokerRegistrationRequest,
  createBrokerRegistrationRequest,
  createBrokerRegistrationRequestFeature,
  createBrokerRegistrationRequestListener,
} from '../../../src/protocol/generated/clients/broker-registration-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import type { BrokerRegistrationChangeRecord } from '../../../src/protocol/generated/metadata/broker-registration-change-record.js';
import type { RegisterBrokerRecord } from '../../../src/protocol/generated/metadata/register-broker-record.js';
import { createFeatureLevelRecord } from '../../../src/protocol/generated/metadata/feature-level-record.js';
import { MetadataRecordType } from '../../../src/protocol/generated/records.js';
import { MetadataImage } from '../../../src/metadata/image.js';
import { bootstrapRecords } from '../../../src/metadata/controller/bootstrap.js';
import { BrokerLifecycle } from '../../../src/metadata/controller/broker-lifecycle.js';
import type { ControllerResult } from '../../../src/metadata/controller/records.js';
import { DirectoryId } from '../../../src/metadata/controller/uuid.js';
import { logDir, partition, replay, typesOf, withAssignedTopic } from './support.js';

const CLUSTER_ID = 'Vj8iSeu8RW6zRf4TTLJv5w';
const SESSION_TIMEOUT_MS = 9000;
const options = { clusterId: CLUSTER_ID, sessionTimeoutMs: SESSION_TIMEOUT_MS, uncleanLeaderElection: () => false };

function incarnation(brokerId: number, restart = 0): string {
  return logDir(brokerId, 200 + restart);
}

function registration(brokerId: number, init: Partial<BrokerRegistrationRequest> = {}): BrokerRegistrationRequest {
  return createBrokerRegistrationRequest({
    brokerId,
    clusterId: CLUSTER_ID,
    incarnationId: incarnation(brokerId),
    listeners: [createBrokerRegistrationRequestListener({ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 0 })],
    features: [createBrokerRegistrationRequestFeature({ name: 'metadata.version', minSupportedVersion: 1, maxSupportedVersion: 21 })],
    rack: null,
    logDirs: [logDir(brokerId)],
    ...init,
  });
}

/** The active controller: its image, clock and lifecycle, with the records of each decision appended and replayed. */
class Controller {
  now = 0;
  lifecycle: BrokerLifecycle;

  constructor(public image = replay(MetadataImage.EMPTY, bootstrapRecords())) {
    this.lifecycle = new BrokerLifecycle(options, image, this.now);
  }

  /** A new active controller over the same log. */
  failover(): void {
    this.lifecycle = new BrokerLifecycle(options, this.image, this.now);
  }

  apply<T>(result: ControllerResult<T>): T {
    this.image = replay(this.image, result.records);
    return result.response;
  }

  register(brokerId: number, init: Partial<BrokerRegistrationRequest> = {}) {
    return this.lifecycle.register(this.image, registration(brokerId, init), this.image.offset + 1, this.now);
  }

  heartbeat(brokerId: number, init: Partial<BrokerHeartbeatRequest> = {}) {
    const request = createBrokerHeartbeatRequest({
      brokerId,
      brokerEpoch: this.image.brokers.get(brokerId)?.epoch ?? -1,
      currentMetadataOffset: this.image.offset,
      ...init,
    });
    return this.lifecycle.heartbeat(this.image, request, this.image.offset + 1, this.now);
  }

  /** Registers and unfences brokers. */
  join(...brokerIds: number[]): this {
    for (const id of brokerIds) {
      this.apply(this.register(id));
      this.apply(this.heartbeat(id));
    }
    return this;
  }
}

describe('BrokerLifecycle.register', () => {
  it('registers a broker fenced, with the offset its record lands at as its epoch', () => {
    const controller = new Controller();
    const landsAt = controller.image.offset + 1;
    const result = controller.register(1, { rack: 'r1' });
    expect(result.response).toEqual({ error: { errorCode: 0, errorMessage: null }, brokerEpoch: landsAt });
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({ type: MetadataRecordType.RegisterBrokerRecord, version: 3 });
    expect(result.records[0].data as RegisterBrokerRecord).toMatchObject({
      brokerId: 1,
      incarnationId: incarnation(1),
      brokerEpoch: landsAt,
      fenced: true,
      inControlledShutdown: false,
      rack: 'r1',
      logDirs: [logDir(1)],
      endPoints: [expect.objectContaining({ name: 'PLAINTEXT', host: 'localhost', port: 9092 })],
      features: [expect.objectContaining({ name: 'metadata.version', minSupportedVersion: 1, maxSupportedVersion: 21 })],
    });
    controller.apply(result);
    expect(controller.image.brokers.get(1)).toMatchObject({ epoch: landsAt, fenced: true, rack: 'r1' });
  });

  it('amends the registration of the same incarnation, keeping its epoch and state', () => {
    const controller = new Controller().join(1);
    const { epoch } = controller.image.brokers.get(1)!;
    const again = controller.register(1, { listeners: [createBrokerRegistrationRequestListener({ name: 'PLAINTEXT', host: 'h2', port: 1 })] });
    expect(again.response.brokerEpoch).toBe(epoch);
    expect(again.records[0].data as RegisterBrokerRecord).toMatchObject({ brokerEpoch: epoch, fenced: false });
    controller.apply(again);
    expect(controller.image.brokers.get(1)).toMatchObject({ epoch, fenced: false, endpoints: [expect.objectContaining({ host: 'h2' })] });
  });

  it('refuses a new incarnation while the previous one has a live session, and takes it once that expired', () => {
    const controller = new Controller().join(1);
    const restarted = { incarnationId: incarnation(1, 1) };
    expect(controller.register(1, restarted)).toEqual({
      response: { error: { errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, errorMessage: 'Another broker is registered with that broker id.' }, brokerEpoch: -1 },
      records: [],
    });
    controller.now += SESSION_TIMEOUT_MS + 1;
    const landsAt = controller.image.offset + 1;
    expect(controller.apply(controller.register(1, restarted)).brokerEpoch).toBe(landsAt);
    expect(controller.image.brokers.get(1)).toMatchObject({ epoch: landsAt, fenced: true, incarnationId: incarnation(1, 1) });
  });

  it('refuses registrations Kafka refuses, with its messages', () => {
    const controller = new Controller().join(2);
    const refusal = (init: Partial<BrokerRegistrationRequest>) => {
      const { response, records } = controller.register(1, init);
      expect(records).toEqual([]);
      expect(response.brokerEpoch).toBe(-1);
      return [response.error.errorCode, response.error.errorMessage];
    };
    expect(refusal({ clusterId: 'other' })).toEqual([ErrorCode.INCONSISTENT_CLUSTER_ID, `Expected cluster ID ${CLUSTER_ID}, but got cluster ID other`]);
    expect(refusal({ isMigratingZkBroker: true })).toEqual([ErrorCode.BROKER_ID_NOT_REGISTERED, 'Controller does not support registering ZK brokers.']);
    expect(refusal({ logDirs: [] })).toEqual([ErrorCode.INVALID_REGISTRATION, 'No directories specified in request']);
    expect(refusal({ logDirs: [DirectoryId.LOST] })).toEqual([ErrorCode.INVALID_REGISTRATION, 'Reserved directory ID in request']);
    expect(refusal({ logDirs: [logDir(1), logDir(1)] })).toEqual([ErrorCode.INVALID_REGISTRATION, 'Duplicate directory ID in request']);
    expect(refusal({ logDirs: [logDir(1), logDir(2)] })).toEqual([ErrorCode.INVALID_REGISTRATION, `Broker 2 is already registered with directory ${logDir(2)}`]);
  });

  it('refuses a broker that does not support the finalized feature levels', () => {
    const controller = new Controller();
    const withFeatures = (...features: [string, number, number][]) =>
      controller.register(1, { features: features.map(([name, min, max]) => createBrokerRegistrationRequestFeature({ name, minSupportedVersion: min, maxSupportedVersion: max })) })
        .response.error;
    expect(withFeatures(['metadata.version', 1, 20])).toEqual({
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      errorMessage: 'Unable to register because the broker does not support finalized version 21 of metadata.version. The broker wants a version between 1 and 20, inclusive.',
    });
    expect(withFeatures().errorMessage).toBe(
      'Unable to register because the broker does not support finalized version 21 of metadata.version. The broker wants a version between 1 and 1, inclusive.',
    );
    controller.image = replay(controller.image, [
      { type: MetadataRecordType.FeatureLevelRecord, version: 0, data: createFeatureLevelRecord({ name: 'group.version', featureLevel: 1 }) },
    ]);
    expect(withFeatures(['metadata.version', 1, 21]).errorMessage).toBe(
      'Unable to register because the broker does not support finalized version 1 of group.version. The broker wants a version between 0 and 0, inclusive.',
    );
    expect(withFeatures(['metadata.version', 1, 21], ['group.version', 0, 1]).errorCode).toBe(0);
  });
});

describe('BrokerLifecycle.heartbeat', () => {
  it('unfences a broker once it has caught up with its registration', () => {
    const controller = new Controller();
    controller.apply(controller.register(1));
    const behind = controller.heartbeat(1, { currentMetadataOffset: controller.image.offset - 1 });
    expect(behind).toEqual({
      response: { error: { errorCode: 0, errorMessage: null }, isCaughtUp: false, isFenced: true, inControlledShutdown: false, shouldShutDown: false },
      records: [],
    });
    const caughtUp = controller.heartbeat(1);
    expect(caughtUp.response).toMatchObject({ isCaughtUp: true, isFenced: false });
    expect(caughtUp.records).toMatchObject([{ type: MetadataRecordType.BrokerRegistrationChangeRecord, version: 0, data: { brokerId: 1, fenced: -1 } }]);
    controller.apply(caughtUp);
    expect(controller.image.brokers.get(1)!.fenced).toBe(false);
    expect(controller.heartbeat(1)).toMatchObject({ response: { isFenced: false }, records: [] });
  });

  it('refuses heartbeats from unregistered brokers and stale epochs', () => {
    const controller = new Controller().join(1);
    expect(controller.heartbeat(2).response).toMatchObject({
      error: { errorCode: ErrorCode.STALE_BROKER_EPOCH, errorMessage: 'Receive a heartbeat from broker 2 before registration' },
      isFenced: true,
    });
    const { epoch } = controller.image.brokers.get(1)!;
    expect(controller.heartbeat(1, { brokerEpoch: epoch - 1 })).toMatchObject({
      response: { error: { errorCode: ErrorCode.STALE_BROKER_EPOCH, errorMessage: `Expected broker epoch ${epoch}, but got broker epoch ${epoch - 1}` } },
      records: [],
    });
  });

  it('fences a broker that asks for it, moving its leaderships', () => {
    const controller = new Controller().join(1, 2);
    controller.image = withAssignedTopic(controller.image, 't', [[1, 2]]);
    const result = controller.heartbeat(1, { wantFence: true });
    expect(typesOf(result.records)).toEqual(['PartitionChangeRecord', 'BrokerRegistrationChangeRecord']);
    expect(controller.apply(result)).toMatchObject({ isFenced: true, shouldShutDown: false });
    expect(controller.image.brokers.get(1)!.fenced).toBe(true);
    expect(partition(controller.image, 't', 0)).toMatchObject({ leader: 2, isr: [2] });
  });

  it('lets a leader shut down once its leaderships moved and every active broker has seen that', () => {
    const controller = new Controller().join(1, 2);
    controller.image = withAssignedTopic(controller.image, 't', [[1, 2]]);
    const seenByBroker2 = controller.image.offset;
    controller.apply(controller.heartbeat(2));

    const entering = controller.heartbeat(1, { wantShutDown: true });
    expect(typesOf(entering.records)).toEqual(['BrokerRegistrationChangeRecord', 'PartitionChangeRecord']);
    expect(entering.records[0]).toMatchObject({ version: 1, data: { brokerId: 1, inControlledShutdown: 1, fenced: 0 } });
    expect(controller.apply(entering)).toMatchObject({ isFenced: false, inControlledShutdown: true, shouldShutDown: false });
    expect(controller.image.brokers.get(1)!.inControlledShutdown).toBe(true);
    expect(partition(controller.image, 't', 0)).toMatchObject({ leader: 2, isr: [2] });

    controller.apply(controller.heartbeat(2, { currentMetadataOffset: seenByBroker2 }));
    expect(controller.heartbeat(1, { wantShutDown: true })).toMatchObject({ response: { inControlledShutdown: true, shouldShutDown: false }, records: [] });

    controller.apply(controller.heartbeat(2));
    const leaving = controller.heartbeat(1, { wantShutDown: true });
    expect(leaving.response).toMatchObject({ isFenced: true, inControlledShutdown: false, shouldShutDown: true });
    expect(leaving.records.map((r) => r.data as BrokerRegistrationChangeRecord)).toMatchObject([{ brokerId: 1, fenced: 1 }]);
    controller.apply(leaving);
    expect(controller.image.brokers.get(1)!.fenced).toBe(true);
  });

  it('lets a broker that leads nothing, or is fenced, shut down at once', () => {
    const controller = new Controller().join(1);
    const idle = controller.heartbeat(1, { wantShutDown: true });
    expect(idle.response).toMatchObject({ isFenced: true, shouldShutDown: true });
    expect(typesOf(idle.records)).toEqual(['BrokerRegistrationChangeRecord']);
    controller.apply(controller.register(2));
    expect(controller.heartbeat(2, { wantShutDown: true }).response).toMatchObject({ isFenced: true, shouldShutDown: true });
  });
});

describe('BrokerLifecycle.fenceStaleBroker', () => {
  it('fences the broker whose session expired longest ago, one at a time', () => {
    const controller = new Controller().join(1, 2, 3);
    controller.image = withAssignedTopic(controller.image, 't', [[3, 1]]);
    controller.now = 1000;
    controller.apply(controller.heartbeat(1));
    controller.now = 2000;
    controller.apply(controller.heartbeat(2));
    controller.now = SESSION_TIMEOUT_MS;
    expect(controller.lifecycle.fenceStaleBroker(controller.image, controller.now)).toEqual({ response: null, records: [] });

    controller.now = SESSION_TIMEOUT_MS + 1500;
    const first = controller.lifecycle.fenceStaleBroker(controller.image, controller.now);
    expect(first.response).toBe(3);
    expect(typesOf(first.records)).toEqual(['PartitionChangeRecord', 'BrokerRegistrationChangeRecord']);
    controller.apply(first);
    expect(partition(controller.image, 't', 0)).toMatchObject({ leader: 1, isr: [1] });
    expect(controller.apply(controller.lifecycle.fenceStaleBroker(controller.image, controller.now))).toBe(1);
    expect(controller.lifecycle.fenceStaleBroker(controller.image, controller.now).response).toBeNull();
  });

  it('brings a single node back after an unclean restart: stale session fenced, new incarnation, leadership regained', () => {
    const controller = new Controller().join(1);
    controller.image = withAssignedTopic(controller.image, 't', [[1]]);
    controller.now = 60_000;
    controller.failover();
    const restarted = { incarnationId: incarnation(1, 1) };
    expect(controller.register(1, restarted).response.error.errorCode).toBe(ErrorCode.DUPLICATE_BROKER_REGISTRATION);

    controller.now += SESSION_TIMEOUT_MS + 1;
    expect(controller.apply(controller.lifecycle.fenceStaleBroker(controller.image, controller.now))).toBe(1);
    expect(partition(controller.image, 't', 0)).toMatchObject({ leader: -1, isr: [1], leaderEpoch: 1 });
    controller.apply(controller.register(1, restarted));
    const back = controller.heartbeat(1);
    expect(typesOf(back.records)).toEqual(['BrokerRegistrationChangeRecord', 'PartitionChangeRecord']);
    controller.apply(back);
    expect(partition(controller.image, 't', 0)).toMatchObject({ leader: 1, isr: [1], leaderEpoch: 2 });
  });
});

describe('BrokerLifecycle.unregister', () => {
  it('takes the broker out of every ISR and the cluster', () => {
    const controller = new Controller().join(1, 2);
    controller.image = withAssignedTopic(controller.image, 't', [[1, 2]]);
    const result = controller.lifecycle.unregister(controller.image, 1);
    expect(typesOf(result.records)).toEqual(['PartitionChangeRecord', 'UnregisterBrokerRecord']);
    controller.apply(result);
    expect(controller.image.brokers.has(1)).toBe(false);
    expect(partition(controller.image, 't', 0)).toMatchObject({ leader: 2, isr: [2] });
    expect(controller.lifecycle.unregister(controller.image, 1)).toEqual({
      response: { errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, errorMessage: 'Broker ID 1 is not currently registered' },
      records: [],
    });
  });
});
