import { createBrokerHeartbeatRequest } from '../protocol/generated/clients/broker-heartbeat-request.js';
import {
  createBrokerRegistrationRequest,
  createBrokerRegistrationRequestFeature,
  createBrokerRegistrationRequestListener,
} from '../protocol/generated/clients/broker-registration-request.js';
import { ERRORS, ErrorCode } from '../protocol/generated/error-codes.js';
import type { Clock } from '../util/clock.js';
import type { ApiError } from './controller/api-error.js';
import type { BrokerHeartbeatReply } from './controller/broker-lifecycle.js';
import { METADATA_VERSION_FEATURE, METADATA_VERSION_LEVEL, MINIMUM_KRAFT_METADATA_VERSION_LEVEL } from './controller/metadata-version.js';
import type { BrokerEndpoint } from './image.js';
import type { MetadataLoader } from './metadata-loader.js';
import type { QuorumController } from './quorum-controller.js';

export interface LocalBrokerParams {
  readonly controller: QuorumController;
  readonly loader: MetadataLoader;
  readonly clock: Clock;
  readonly nodeId: number;
  readonly clusterId: string;
  /** Random per process: tells this run of the broker from earlier ones. */
  readonly incarnationId: string;
  readonly listeners: readonly BrokerEndpoint[];
  readonly rack: string | null;
  /** The `directory.id` of every online log directory. */
  readonly logDirIds: readonly string[];
}

/**
 * The broker half of a combined node talking to the controller in the same process (Kafka's
 * BrokerLifecycleManager without the network): it registers this incarnation, heartbeats until
 * it is unfenced, and keeps heartbeating when told to.
 */
export class LocalBroker {
  private epoch = -1;

  constructor(private readonly params: LocalBrokerParams) {}

  /** The broker epoch of this incarnation's registration, -1 before it is registered. */
  get brokerEpoch(): number {
    return this.epoch;
  }

  /**
   * Registers this incarnation and resolves once it is unfenced in the committed image. A
   * registration left unfenced by this node's previous process is fenced first: that process is
   * gone, so there is no session to wait out (Kafka waits broker.session.timeout.ms for it).
   */
  async register(): Promise<void> {
    const { controller, clock, nodeId, clusterId, incarnationId } = this.params;
    await controller.write((image, { brokers }) => {
      const previous = image.brokers.get(nodeId);
      if (previous === undefined || previous.incarnationId === incarnationId) return { response: false, records: [] };
      return brokers.fence(image, nodeId);
    });
    const request = createBrokerRegistrationRequest({
      brokerId: nodeId,
      clusterId,
      incarnationId,
      listeners: this.params.listeners.map(({ name, host, port, securityProtocol }) =>
        createBrokerRegistrationRequestListener({ name, host, port, securityProtocol }),
      ),
      features: [
        createBrokerRegistrationRequestFeature({
          name: METADATA_VERSION_FEATURE,
          minSupportedVersion: MINIMUM_KRAFT_METADATA_VERSION_LEVEL,
          maxSupportedVersion: METADATA_VERSION_LEVEL,
        }),
      ],
      rack: this.params.rack,
      logDirs: [...this.params.logDirIds],
    });
    const registration = await controller.write((image, { nextOffset, brokers }) => brokers.register(image, request, nextOffset, clock.now()));
    if (registration.error.errorCode !== ErrorCode.NONE) {
      throw new Error(`broker ${nodeId} could not register: ${describe(registration.error)}`);
    }
    this.epoch = registration.brokerEpoch;
    const reply = await this.heartbeat();
    if (reply.error.errorCode !== ErrorCode.NONE || reply.isFenced) {
      throw new Error(`broker ${nodeId} stayed fenced after registering: ${describe(reply.error)}`);
    }
  }

  /** One heartbeat, reporting the committed offset this node has applied; resolves once its records are committed. */
  heartbeat(): Promise<BrokerHeartbeatReply> {
    const { controller, loader, clock, nodeId } = this.params;
    return controller.write((image, { nextOffset, brokers }) => {
      const request = createBrokerHeartbeatRequest({ brokerId: nodeId, brokerEpoch: this.epoch, currentMetadataOffset: loader.image.offset });
      return brokers.heartbeat(image, request, nextOffset, clock.now());
    });
  }
}

function describe(error: ApiError): string {
  const name = ERRORS.get(error.errorCode)?.name ?? `error ${error.errorCode}`;
  return error.errorMessage === null ? name : `${name}: ${error.errorMessage}`;
}
