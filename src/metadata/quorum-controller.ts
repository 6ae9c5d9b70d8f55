import { ErrorCode } from '../protocol/generated/error-codes.js';
import { BatchTooLargeError, type LeaderAndEpoch, type RaftClient } from '../raft/raft-client.js';
import type { Clock } from '../util/clock.js';
import { KafkaError } from '../util/kafka-error.js';
import type { Logger } from '../util/logger.js';
import { bootstrapRecords } from './controller/bootstrap.js';
import { BrokerLifecycle, type BrokerLifecycleOptions } from './controller/broker-lifecycle.js';
import { METADATA_VERSION_FEATURE } from './controller/metadata-version.js';
import type { ControllerResult } from './controller/records.js';
import { MetadataDelta } from './delta.js';
import type { MetadataImage } from './image.js';
import type { MetadataLoader } from './metadata-loader.js';
import { encodeMetadataRecord } from './record-serde.js';

export interface QuorumControllerParams {
  readonly raft: RaftClient;
  /** The committed image, and the leader changes of the quorum, in log order. */
  readonly loader: MetadataLoader;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly brokerLifecycle: BrokerLifecycleOptions;
}

/** What a decision may need beyond the image. */
export interface WriteContext {
  /** The offset the first record of this write will land at (a new broker's epoch). */
  readonly nextOffset: number;
  /** The broker sessions of this term as active controller. */
  readonly brokers: BrokerLifecycle;
}

export type ControllerDecision<T> = (image: MetadataImage, context: WriteContext) => ControllerResult<T>;

/** This node is not the active controller (Kafka's NotControllerException); clients retry. */
export class NotControllerError extends KafkaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_CONTROLLER', ErrorCode.NOT_CONTROLLER, message, options);
  }
}

/** One term as active controller: the epoch it leads and what it has written in it. */
interface Term {
  readonly epoch: number;
  /** The committed image plus every record this term appended, committed or not. */
  image: MetadataImage;
  readonly brokers: BrokerLifecycle;
  /** Settles when the last batch this term appended is committed. */
  lastCommit: Promise<void>;
  /** Set when the term ended early: what its outstanding writes fail with. */
  renounced: NotControllerError | null;
}

/**
 * The active controller's write path (Kafka's QuorumController). A write runs its decision on
 * the controller's image, which already holds the records of earlier writes that are not yet
 * committed, appends the records as one batch, replays them onto that image at once, and
 * resolves with the decision's response when the batch is committed. Decision, append and
 * replay run synchronously inside `write`, so writes are ordered by the calls themselves.
 *
 * When an append or a commit fails, the controller does what Kafka's does: it renounces. The
 * failed write and every write appended after it fail, the uncommitted image is dropped, and
 * the quorum is asked to resign. When this node leads again, the next term starts from the
 * committed image. A write that fails before anything is appended (its decision throws, its
 * batch is too large) fails alone: images are immutable, so there is nothing to revert.
 */
export class QuorumController {
  private term: Term | null = null;
  private lastClaimedEpoch = -1;
  private readonly unsubscribe: () => void;

  constructor(private readonly params: QuorumControllerParams) {
    this.unsubscribe = params.loader.onImage((_image, update) => {
      if (update.kind === 'leader') this.onLeaderChange(update.leader);
    });
    this.onLeaderChange(params.loader.leaderAndEpoch);
  }

  /** The latest committed image. */
  get image(): MetadataImage {
    return this.params.loader.image;
  }

  get isActive(): boolean {
    return this.term !== null;
  }

  write<T>(decide: ControllerDecision<T>): Promise<T> {
    const term = this.term;
    if (term === null) return Promise.reject(new NotControllerError(`node ${this.params.raft.nodeId} is not the active controller`));
    const { raft } = this.params;
    const nextOffset = raft.endOffset;
    let result: ControllerResult<T>;
    let values: Buffer[];
    let next: MetadataImage;
    try {
      result = decide(term.image, { nextOffset, brokers: term.brokers });
      if (result.records.length === 0) return this.afterPendingWrites(term, result.response);
      values = result.records.map(encodeMetadataRecord);
      const delta = new MetadataDelta(term.image);
      result.records.forEach((record, i) => delta.replay(record, nextOffset + i));
      next = delta.apply();
    } catch (err) {
      return Promise.reject(err);
    }
    let committed: Promise<void>;
    try {
      committed = raft.append(values, { epoch: term.epoch, baseOffset: nextOffset }).committed;
    } catch (err) {
      if (!(err instanceof BatchTooLargeError)) this.renounce(term, err);
      return Promise.reject(err);
    }
    term.image = next;
    term.lastCommit = committed.then(
      () => {
        if (term.renounced !== null) throw term.renounced;
      },
      (err: unknown) => {
        this.renounce(term, err);
        throw err;
      },
    );
    const response = result.response;
    return term.lastCommit.then(() => response);
  }

  /** Stops taking writes and waits for those in flight to settle. */
  async close(): Promise<void> {
    this.unsubscribe();
    const term = this.term;
    this.term = null;
    await term?.lastCommit.catch(() => undefined);
  }

  /**
   * A write without records answers once everything before it is committed: its response may
   * rest on records that are not yet (Kafka completes it at the same offset).
   */
  private afterPendingWrites<T>(term: Term, response: T): Promise<T> {
    return term.lastCommit.then(() => {
      if (term.renounced !== null) throw term.renounced;
      return response;
    });
  }

  private onLeaderChange(leader: LeaderAndEpoch): void {
    const { nodeId } = this.params.raft;
    const term = this.term;
    if (term !== null && (leader.leaderId !== nodeId || leader.epoch !== term.epoch)) {
      this.renounce(term, new NotControllerError(`the quorum moved to epoch ${leader.epoch}, led by ${leader.leaderId ?? 'nobody'}`));
    }
    if (leader.leaderId === nodeId && this.term === null && leader.epoch > this.lastClaimedEpoch) this.claim(leader.epoch);
  }

  /**
   * Becomes the active controller for `epoch`, from the committed image, which the loader has
   * brought up to the epoch's start. An empty metadata log is bootstrapped first.
   */
  private claim(epoch: number): void {
    const { loader, clock, logger } = this.params;
    const image = loader.image;
    this.lastClaimedEpoch = epoch;
    this.term = {
      epoch,
      image,
      brokers: new BrokerLifecycle(this.params.brokerLifecycle, image, clock.now()),
      lastCommit: Promise.resolve(),
      renounced: null,
    };
    logger.info({ epoch, offset: image.offset }, 'active controller');
    if (!image.features.has(METADATA_VERSION_FEATURE)) {
      this.write(() => ({ response: undefined, records: bootstrapRecords() })).catch((err: unknown) =>
        logger.error({ err }, 'bootstrapping the metadata log failed'),
      );
    }
  }

  private renounce(term: Term, cause: unknown): void {
    if (term.renounced !== null) return;
    const reason = cause instanceof Error ? cause.message : String(cause);
    term.renounced = new NotControllerError(`the controller gave up epoch ${term.epoch}: ${reason}`, { cause });
    if (this.term === term) this.term = null;
    this.params.logger.warn({ epoch: term.epoch, err: cause }, 'renouncing the controller role');
    this.params.raft.resign(term.epoch);
  }
}
