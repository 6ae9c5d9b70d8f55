import type { BrokerHeartbeatRequest } from '../../protocol/generated/clients/broker-heartbeat-request.js';
import type { BrokerRegistrationRequest } from '../../protocol/generated/clients/broker-registration-request.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { createBrokerRegistrationChangeRecord } from '../../protocol/generated/metadata/broker-registration-change-record.js';
import {
  type RegisterBrokerRecordBrokerFeature,
  createRegisterBrokerRecord,
  createRegisterBrokerRecordBrokerEndpoint,
  createRegisterBrokerRecordBrokerFeature,
} from '../../protocol/generated/metadata/register-broker-record.js';
import { createUnregisterBrokerRecord } from '../../protocol/generated/metadata/unregister-broker-record.js';
import { MetadataRecordType, type MetadataRecord } from '../../protocol/generated/records.js';
import type { MetadataImage } from '../image.js';
import { type ApiError, NO_ERROR, thrownApiError } from './api-error.js';
import { brokerEpochError } from './cluster.js';
import { type UncleanLeaderElection, partitionChangesForAddedBroker, partitionChangesForRemovedBroker } from './leader-and-isr.js';
import { METADATA_VERSION_FEATURE, MINIMUM_KRAFT_METADATA_VERSION_LEVEL } from './metadata-version.js';
import { type ControllerResult, metadataRecord } from './records.js';
import { isReservedDirectoryId } from './uuid.js';

export interface BrokerLifecycleOptions {
  /** The cluster id every registering broker must present. */
  readonly clusterId: string;
  /** broker.session.timeout.ms: how long a broker may go without a heartbeat before it is fenced. */
  readonly sessionTimeoutMs: number;
  readonly uncleanLeaderElection: UncleanLeaderElection;
}

/** What a BrokerRegistration answers: the error (with the message Kafka logs) or the broker's epoch. */
export interface BrokerRegistrationReply {
  readonly error: ApiError;
  /** -1 when refused. */
  readonly brokerEpoch: number;
}

/** What a BrokerHeartbeat answers (Kafka's BrokerHeartbeatReply, plus the error). */
export interface BrokerHeartbeatReply {
  readonly error: ApiError;
  readonly isCaughtUp: boolean;
  readonly isFenced: boolean;
  readonly inControlledShutdown: boolean;
  readonly shouldShutDown: boolean;
}

/** Kafka's BrokerControlState: where a heartbeat finds a broker and where it moves it. */
type BrokerState = 'fenced' | 'unfenced' | 'controlled-shutdown' | 'shutdown-now';
/** A broker told to shut down is fenced: that is the state the next heartbeat finds. */
type CurrentState = Exclude<BrokerState, 'shutdown-now'>;

/** What the active controller knows of a broker beyond the metadata log (Kafka's BrokerHeartbeatState). */
interface Session {
  lastContactMs: number;
  /** The metadata offset the broker last reported, -1 before its first heartbeat. */
  metadataOffset: number;
  /** The end of the batch that put the broker in controlled shutdown, null when it is not in one. */
  controlledShutdownOffset: number | null;
  /** The offset of the broker's RegisterBrokerRecord, which it must reach to be unfenced; after a failover, its epoch. */
  registrationOffset: number;
}

/** BrokerRegistrationChangeRecord.fenced values (BrokerRegistrationFencingChange). */
const FENCE = 1;
const UNFENCE = -1;

/**
 * Broker registration, heartbeats, fencing and controlled shutdown, as Kafka's
 * ClusterControlManager, BrokerHeartbeatManager and ReplicationControlManager decide them. One
 * instance lives as long as this node is the active controller; sessions are memory only, as in
 * Kafka, and a new active controller gives every registered broker a fresh session.
 *
 * Every call takes the controller's image, which must include every record the controller has
 * appended so far, committed or not, so that each decision builds on the last. `nextOffset` is
 * the offset the first returned record will land at; Kafka's rule makes it the broker epoch of
 * a new incarnation.
 */
export class BrokerLifecycle {
  private readonly sessions = new Map<number, Session>();

  constructor(
    private readonly options: BrokerLifecycleOptions,
    image: MetadataImage,
    now: number,
  ) {
    for (const broker of image.brokers.values()) {
      this.sessions.set(broker.id, {
        lastContactMs: now,
        metadataOffset: -1,
        // The batch's own offset is not known after a failover; the end of the log is a safe bound.
        controlledShutdownOffset: broker.inControlledShutdown && !broker.fenced ? image.offset : null,
        registrationOffset: broker.epoch,
      });
    }
  }

  /**
   * BrokerRegistration. A new incarnation replaces the registration, fenced, with `nextOffset` as
   * its epoch; it is refused while the previous incarnation still has a live session. The same
   * incarnation registering again (a retry) amends the registration and keeps epoch and state.
   */
  register(
    image: MetadataImage,
    request: BrokerRegistrationRequest,
    nextOffset: number,
    now: number,
  ): ControllerResult<BrokerRegistrationReply> {
    const refused = (errorCode: number, message: string) => ({
      response: { error: thrownApiError(errorCode, message), brokerEpoch: -1 },
      records: [],
    });
    const { brokerId, incarnationId, clusterId } = request;
    if (clusterId !== this.options.clusterId) {
      return refused(ErrorCode.INCONSISTENT_CLUSTER_ID, `Expected cluster ID ${this.options.clusterId}, but got cluster ID ${clusterId}`);
    }
    const existing = image.brokers.get(brokerId);
    if (existing !== undefined && existing.incarnationId !== incarnationId && this.hasLiveSession(image, brokerId, now)) {
      return refused(ErrorCode.DUPLICATE_BROKER_REGISTRATION, 'Another broker is registered with that broker id.');
    }
    if (request.isMigratingZkBroker) {
      return refused(ErrorCode.BROKER_ID_NOT_REGISTERED, 'Controller does not support registering ZK brokers.');
    }
    const directoryProblem = logDirsProblem(image, request);
    if (directoryProblem !== null) return refused(ErrorCode.INVALID_REGISTRATION, directoryProblem);
    const features = registeredFeatures(image, request);
    if (typeof features === 'string') return refused(ErrorCode.UNSUPPORTED_VERSION, features);

    const amended = existing !== undefined && existing.incarnationId === incarnationId;
    const record = createRegisterBrokerRecord({
      brokerId,
      incarnationId,
      brokerEpoch: amended ? existing.epoch : nextOffset,
      endPoints: request.listeners.map(({ name, host, port, securityProtocol }) =>
        createRegisterBrokerRecordBrokerEndpoint({ name, host, port, securityProtocol }),
      ),
      features,
      rack: request.rack,
      fenced: amended ? existing.fenced : true,
      inControlledShutdown: amended ? existing.inControlledShutdown : false,
      logDirs: [...request.logDirs],
    });
    const previous = amended ? this.sessions.get(brokerId) : undefined;
    this.sessions.set(brokerId, {
      lastContactMs: now,
      metadataOffset: previous?.metadataOffset ?? -1,
      controlledShutdownOffset: previous?.controlledShutdownOffset ?? null,
      registrationOffset: nextOffset,
    });
    return {
      response: { error: NO_ERROR, brokerEpoch: record.brokerEpoch },
      records: [metadataRecord(MetadataRecordType.RegisterBrokerRecord, record)],
    };
  }

  /**
   * BrokerHeartbeat: keeps the session alive and moves the broker between states. A fenced broker
   * is unfenced once it has caught up with its registration, taking the lead of partitions that
   * had none; an unfenced one asking to shut down first hands its leaderships over (controlled
   * shutdown) and is let go once it leads nothing and every active broker has seen that.
   */
  heartbeat(
    image: MetadataImage,
    request: BrokerHeartbeatRequest,
    nextOffset: number,
    now: number,
  ): ControllerResult<BrokerHeartbeatReply> {
    const { brokerId, brokerEpoch, currentMetadataOffset } = request;
    const session = this.sessions.get(brokerId);
    if (session === undefined || !image.brokers.has(brokerId)) {
      const message = `Receive a heartbeat from broker ${brokerId} before registration`;
      return refusedHeartbeat(thrownApiError(ErrorCode.STALE_BROKER_EPOCH, message));
    }
    const epochError = brokerEpochError(image, brokerId, brokerEpoch);
    if (epochError !== null) return refusedHeartbeat(epochError);

    const current = this.state(image, brokerId);
    const next = this.nextState(image, current, request, session);
    const records: MetadataRecord[] = [];
    if (next !== current) {
      if (next === 'fenced' || next === 'shutdown-now') records.push(...this.fenceRecords(image, brokerId));
      else if (next === 'unfenced') records.push(...this.unfenceRecords(image, brokerId, brokerEpoch));
      else records.push(...this.controlledShutdownRecords(image, brokerId, brokerEpoch));
    }
    session.lastContactMs = now;
    session.metadataOffset = currentMetadataOffset;
    if (next === 'fenced' || next === 'shutdown-now') session.controlledShutdownOffset = null;
    else if (next === 'controlled-shutdown') session.controlledShutdownOffset ??= nextOffset + records.length - 1;
    return {
      response: {
        error: NO_ERROR,
        isCaughtUp: currentMetadataOffset >= session.registrationOffset,
        isFenced: next === 'fenced' || next === 'shutdown-now',
        inControlledShutdown: next === 'controlled-shutdown',
        shouldShutDown: next === 'shutdown-now',
      },
      records,
    };
  }

  /**
   * Fences the unfenced broker whose session expired longest ago, if any, moving its
   * leaderships (Kafka's maybeFenceOneStaleBroker: one at a time, so that each fencing is in the
   * image before the next is decided). The response is the fenced broker's id.
   */
  fenceStaleBroker(image: MetadataImage, now: number): ControllerResult<number | null> {
    let stalest: [number, Session] | null = null;
    for (const [id, session] of this.sessions) {
      if (this.hasLiveSession(image, id, now) || image.brokers.get(id)?.fenced !== false) continue;
      if (stalest === null || session.lastContactMs < stalest[1].lastContactMs) stalest = [id, session];
    }
    if (stalest === null) return { response: null, records: [] };
    const [brokerId, session] = stalest;
    session.controlledShutdownOffset = null;
    return { response: brokerId, records: this.fenceRecords(image, brokerId) };
  }

  /**
   * Fences an unfenced broker at once, without waiting for its session to expire, as its
   * session's expiry would: for an incarnation known to be gone (the previous process of the
   * node this controller runs in). The response says whether the broker was unfenced.
   */
  fence(image: MetadataImage, brokerId: number): ControllerResult<boolean> {
    if (image.brokers.get(brokerId)?.fenced !== false) return { response: false, records: [] };
    const session = this.sessions.get(brokerId);
    if (session !== undefined) session.controlledShutdownOffset = null;
    return { response: true, records: this.fenceRecords(image, brokerId) };
  }

  /** UnregisterBroker: the broker leaves every ISR and the cluster. */
  unregister(image: MetadataImage, brokerId: number): ControllerResult<ApiError> {
    const broker = image.brokers.get(brokerId);
    if (broker === undefined) {
      const message = `Broker ID ${brokerId} is not currently registered`;
      return { response: thrownApiError(ErrorCode.BROKER_ID_NOT_REGISTERED, message), records: [] };
    }
    this.sessions.delete(brokerId);
    return {
      response: NO_ERROR,
      records: [
        ...partitionChangesForRemovedBroker(image, brokerId, this.options.uncleanLeaderElection),
        metadataRecord(MetadataRecordType.UnregisterBrokerRecord, createUnregisterBrokerRecord({ brokerId, brokerEpoch: broker.epoch })),
      ],
    };
  }

  private hasLiveSession(image: MetadataImage, brokerId: number, now: number): boolean {
    const session = this.sessions.get(brokerId);
    const fenced = image.brokers.get(brokerId)?.fenced ?? true;
    return session !== undefined && !fenced && session.lastContactMs + this.options.sessionTimeoutMs >= now;
  }

  private state(image: MetadataImage, brokerId: number): CurrentState {
    const broker = image.brokers.get(brokerId)!;
    if (broker.fenced) return 'fenced';
    return broker.inControlledShutdown ? 'controlled-shutdown' : 'unfenced';
  }

  /** Kafka's BrokerHeartbeatManager.calculateNextBrokerState. */
  private nextState(image: MetadataImage, current: CurrentState, request: BrokerHeartbeatRequest, session: Session): BrokerState {
    const leadsPartitions = () => leadsAnyPartition(image, request.brokerId);
    switch (current) {
      case 'fenced':
        if (request.wantShutDown) return 'shutdown-now';
        return !request.wantFence && request.currentMetadataOffset >= session.registrationOffset ? 'unfenced' : 'fenced';
      case 'unfenced':
        if (request.wantFence) return request.wantShutDown ? 'shutdown-now' : 'fenced';
        if (request.wantShutDown) return leadsPartitions() ? 'controlled-shutdown' : 'shutdown-now';
        return 'unfenced';
      case 'controlled-shutdown':
        if (leadsPartitions()) return 'controlled-shutdown';
        // The offset is unknown only when a fencing is still to be replayed; the log end is a safe bound.
        return (session.controlledShutdownOffset ?? image.offset) <= this.lowestActiveOffset(image)
          ? 'shutdown-now'
          : 'controlled-shutdown';
    }
  }

  /** The lowest metadata offset reported by an active broker: every one of them has seen the log up to there. */
  private lowestActiveOffset(image: MetadataImage): number {
    let lowest = Infinity;
    for (const broker of image.brokers.values()) {
      if (broker.fenced || broker.inControlledShutdown) continue;
      lowest = Math.min(lowest, this.sessions.get(broker.id)?.metadataOffset ?? -1);
    }
    return lowest;
  }

  /** Kafka's handleBrokerFenced: leave every ISR and leadership, then the fencing itself. */
  private fenceRecords(image: MetadataImage, brokerId: number): MetadataRecord[] {
    const { epoch } = image.brokers.get(brokerId)!;
    return [
      ...partitionChangesForRemovedBroker(image, brokerId, this.options.uncleanLeaderElection),
      metadataRecord(
        MetadataRecordType.BrokerRegistrationChangeRecord,
        createBrokerRegistrationChangeRecord({ brokerId, brokerEpoch: epoch, fenced: FENCE }),
      ),
    ];
  }

  /** Kafka's handleBrokerUnfenced: the unfencing, then leaders for partitions that had none. */
  private unfenceRecords(image: MetadataImage, brokerId: number, brokerEpoch: number): MetadataRecord[] {
    return [
      metadataRecord(
        MetadataRecordType.BrokerRegistrationChangeRecord,
        createBrokerRegistrationChangeRecord({ brokerId, brokerEpoch, fenced: UNFENCE }),
      ),
      ...partitionChangesForAddedBroker(image, brokerId, this.options.uncleanLeaderElection),
    ];
  }

  /** Kafka's handleBrokerInControlledShutdown: mark the broker, then move its ISR memberships and leaderships. */
  private controlledShutdownRecords(image: MetadataImage, brokerId: number, brokerEpoch: number): MetadataRecord[] {
    return [
      metadataRecord(
        MetadataRecordType.BrokerRegistrationChangeRecord,
        createBrokerRegistrationChangeRecord({ brokerId, brokerEpoch, inControlledShutdown: 1 }),
        1,
      ),
      ...partitionChangesForRemovedBroker(image, brokerId, this.options.uncleanLeaderElection),
    ];
  }
}

function refusedHeartbeat(error: ApiError): ControllerResult<BrokerHeartbeatReply> {
  return { response: { error, isCaughtUp: false, isFenced: true, inControlledShutdown: false, shouldShutDown: false }, records: [] };
}

function leadsAnyPartition(image: MetadataImage, brokerId: number): boolean {
  for (const topic of image.topicsById.values()) {
    for (const partition of topic.partitions.values()) if (partition.leader === brokerId) return true;
  }
  return false;
}

/**
 * Why the log directories of a registration are refused: at metadata.version 3.9-IV0 every
 * broker names its directories by id, none reserved, none repeated, none another broker's.
 */
function logDirsProblem(image: MetadataImage, { brokerId, logDirs }: BrokerRegistrationRequest): string | null {
  if (logDirs.length === 0) return 'No directories specified in request';
  if (logDirs.some(isReservedDirectoryId)) return 'Reserved directory ID in request';
  if (new Set(logDirs).size !== logDirs.length) return 'Duplicate directory ID in request';
  for (const broker of image.brokers.values()) {
    if (broker.id === brokerId) continue;
    const shared = logDirs.find((dir) => broker.logDirs.includes(dir));
    if (shared !== undefined) return `Broker ${broker.id} is already registered with directory ${shared}`;
  }
  return null;
}

/**
 * The features to record for a registering broker, or why it cannot join: its range of every
 * feature must include the finalized level (ClusterControlManager.processRegistrationFeature).
 * A broker that names no metadata.version range supports only the first KRaft level; a finalized
 * feature it does not name counts as supported at level 0 only.
 */
function registeredFeatures(image: MetadataImage, request: BrokerRegistrationRequest): RegisterBrokerRecordBrokerFeature[] | string {
  const ranges = request.features.map(({ name, minSupportedVersion, maxSupportedVersion }) => ({
    name,
    minSupportedVersion,
    maxSupportedVersion,
  }));
  if (!ranges.some((f) => f.name === METADATA_VERSION_FEATURE)) {
    const level = MINIMUM_KRAFT_METADATA_VERSION_LEVEL;
    ranges.push({ name: METADATA_VERSION_FEATURE, minSupportedVersion: level, maxSupportedVersion: level });
  }
  const unnamed = [...image.features].filter(([name, level]) => level !== 0 && !ranges.some((f) => f.name === name));
  for (const range of [...ranges, ...unnamed.map(([name]) => ({ name, minSupportedVersion: 0, maxSupportedVersion: 0 }))]) {
    const unfinalized = range.name === METADATA_VERSION_FEATURE ? MINIMUM_KRAFT_METADATA_VERSION_LEVEL : 0;
    const finalized = image.features.get(range.name) ?? unfinalized;
    if (finalized < range.minSupportedVersion || finalized > range.maxSupportedVersion) {
      return (
        `Unable to register because the broker does not support finalized version ${finalized} of ${range.name}. ` +
        `The broker wants a version between ${range.minSupportedVersion} and ${range.maxSupportedVersion}, inclusive.`
      );
    }
  }
  return ranges.map((f) => createRegisterBrokerRecordBrokerFeature(f));
}
