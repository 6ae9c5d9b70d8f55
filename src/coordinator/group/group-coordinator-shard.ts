import type { DescribeGroupsResponseDescribedGroup } from '../../protocol/generated/clients/describe-groups-response.js';
import type { HeartbeatRequest } from '../../protocol/generated/clients/heartbeat-request.js';
import type { JoinGroupRequest } from '../../protocol/generated/clients/join-group-request.js';
import type { LeaveGroupRequest } from '../../protocol/generated/clients/leave-group-request.js';
import type { ListGroupsResponseListedGroup } from '../../protocol/generated/clients/list-groups-response.js';
import type { OffsetCommitRequest } from '../../protocol/generated/clients/offset-commit-request.js';
import type { OffsetCommitResponseTopic } from '../../protocol/generated/clients/offset-commit-response.js';
import type { OffsetDeleteRequestTopic } from '../../protocol/generated/clients/offset-delete-request.js';
import type { OffsetDeleteResponseTopic } from '../../protocol/generated/clients/offset-delete-response.js';
import type { SyncGroupRequest } from '../../protocol/generated/clients/sync-group-request.js';
import type { TxnOffsetCommitRequest } from '../../protocol/generated/clients/txn-offset-commit-request.js';
import type { TxnOffsetCommitResponseTopic } from '../../protocol/generated/clients/txn-offset-commit-response.js';
import { NO_PRODUCER_ID } from '../../protocol/records/batch-header.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { ConsumerGroupDescribeResponseDescribedGroup } from '../../protocol/generated/clients/consumer-group-describe-response.js';
import type { ConsumerGroupHeartbeatRequest } from '../../protocol/generated/clients/consumer-group-heartbeat-request.js';
import type { ConsumerGroupHeartbeatResponse } from '../../protocol/generated/clients/consumer-group-heartbeat-response.js';
import type { Random } from '../../util/random.js';
import type { ClassicGroup } from './classic-group.js';
import { type ClassicGroupConfig, type GroupEffects, type GroupReply, joinError, type RequestContext } from './classic-group-model.js';
import { ClassicGroups } from './classic-groups.js';
import { subscribedTopics } from './classic-subscriptions.js';
import { CommittedOffsets, committedOffset, offsetCommitRecord, PendingTransactionalOffsets, type CommittedOffset } from './committed-offsets.js';
import type { CoordinatorRecord, OffsetCommitRecord } from './coordinator-records.js';
import { type ConsumerGroupConfig, ConsumerGroups, type HeartbeatContext } from './consumer/consumer-groups.js';
import type { TopicsView } from './consumer/topics-view.js';

export interface GroupCoordinatorConfig {
  readonly classic: ClassicGroupConfig;
  readonly consumer: ConsumerGroupConfig;
  /** offset.metadata.max.bytes: the longest metadata string a commit may carry, in UTF-16 code units as Kafka counts it. */
  readonly offsetMetadataMaxBytes: number;
  /** offsets.retention.minutes, in milliseconds. */
  readonly offsetsRetentionMs: number;
}

/** What classic operations and deadlines decided: replies now, records to append, replies once they are committed. */
export interface ShardEffects {
  readonly replies: GroupReply[];
  readonly records: CoordinatorRecord[];
  readonly repliesAfterCommit: GroupReply[];
}

/** An answer and the records to append before it is sent (already replayed onto the shard). */
export interface ShardResult<T> {
  readonly response: T;
  readonly records: CoordinatorRecord[];
}

/** One group's answer to OffsetFetch: a group-level error, or its offsets topic by topic. */
export interface FetchedGroupOffsets {
  readonly errorCode: number;
  readonly topics: { name: string; partitions: FetchedOffset[] }[];
}

export interface FetchedOffset {
  readonly partitionIndex: number;
  readonly committedOffset: number;
  readonly committedLeaderEpoch: number;
  readonly metadata: string | null;
  readonly errorCode: number;
}

/** What OffsetFetch asks of one group: null topics means every topic the group has offsets for. */
export interface OffsetFetchQuery {
  readonly groupId: string;
  readonly topics: readonly { name: string; partitionIndexes: readonly number[] }[] | null;
  /** v9+: a consumer-protocol member fetching its group's offsets, checked against its epoch. */
  readonly memberId?: string | null;
  readonly memberEpoch?: number;
  /** v7+: partitions with offsets in an open transaction answer UNSTABLE_OFFSET_COMMIT instead of their offset. */
  readonly requireStable?: boolean;
}

/**
 * TxnOffsetCommit's decision: the answer and the OffsetCommit records to append as a
 * transactional batch of the producer, already replayed as its pending offsets. When storage
 * refuses the batch before writing it (a fenced producer epoch, say), the driver hands the
 * decision to {@link GroupCoordinatorShard.revertTransactionalOffsets}: a record that is not in
 * the log must not be committed by the producer's next COMMIT marker.
 */
export interface TxnOffsetCommitDecision extends ShardResult<TxnOffsetCommitResponseTopic[]> {
  readonly producerId: number;
  readonly producerEpoch: number;
  /** What the records replaced in the producer's pending offsets, for a revert. */
  readonly replaced: readonly ReplacedPendingOffset[];
}

export interface ReplacedPendingOffset {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** The replay position of the record that replaced it. */
  readonly recordSeq: number;
  readonly previous: CommittedOffset | undefined;
}

/** The partitions of an OffsetCommit or TxnOffsetCommit topic, as the shard reads them. */
interface CommittedTopic {
  readonly name: string;
  readonly partitions: readonly {
    readonly partitionIndex: number;
    readonly committedOffset: number;
    readonly committedLeaderEpoch: number;
    readonly committedMetadata: string | null;
  }[];
}

/** Kafka's spelling of the classic group type in ListGroups v5+. */
const CLASSIC_GROUP_TYPE = 'classic';
/** Kafka's spelling of the KIP-848 group type, which is also its protocol type. */
const CONSUMER_GROUP_TYPE = 'consumer';



/**
 * The group coordinator's state for one `__consumer_offsets` partition (Kafka's
 * GroupCoordinatorShard): its classic groups, its consumer groups (KIP-848) and their committed
 * offsets. A group id belongs to one kind at a time. Pure: every change is a record, replayed onto
 * this state as soon as it is decided, and the same records replayed from the partition rebuild
 * the same state after a restart.
 */
export class GroupCoordinatorShard {
  readonly classic: ClassicGroups;
  readonly consumer: ConsumerGroups;
  readonly offsets = new CommittedOffsets();
  /** Offsets committed by transactions that have not ended (TxnOffsetCommit), invisible to OffsetFetch until a COMMIT marker. */
  readonly pendingOffsets = new PendingTransactionalOffsets();
  /** Counts the records replayed: a record's position in this shard's log order (decisions are appended in the order they are made). */
  private recordSeq = 0;

  constructor(
    private readonly config: GroupCoordinatorConfig,
    random: Random,
  ) {
    this.classic = new ClassicGroups(config.classic, random);
    this.consumer = new ConsumerGroups(config.consumer, random);
  }

  // ---- classic protocol ----------------------------------------------------------------------

  /** A classic member cannot join a consumer group: Gregor does not mix the protocols in one group. */
  joinGroup(request: JoinGroupRequest, ctx: RequestContext): GroupEffects {
    if (this.consumer.has(request.groupId)) {
      const response = joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, request.memberId);
      return { replies: [{ to: ctx.to, api: 'join', response }], records: [], repliesAfterCommit: [] };
    }
    return this.classic.joinGroup(request, ctx);
  }

  syncGroup(request: SyncGroupRequest, ctx: RequestContext): GroupEffects {
    return this.classic.syncGroup(request, ctx);
  }

  heartbeat(request: HeartbeatRequest, ctx: RequestContext): GroupEffects {
    return this.classic.heartbeat(request, ctx);
  }

  leaveGroup(request: LeaveGroupRequest, ctx: RequestContext): GroupEffects {
    return this.classic.leaveGroup(request, ctx);
  }

  // ---- consumer protocol (KIP-848) -------------------------------------------------------------

  /**
   * ConsumerGroupHeartbeat. An empty classic group with the same id is replaced by the new
   * consumer group (its offsets stay); a classic group with members answers GROUP_ID_NOT_FOUND,
   * as Kafka does without migration between the protocols.
   */
  consumerGroupHeartbeat(request: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext, topics: TopicsView): ShardResult<ConsumerGroupHeartbeatResponse> {
    const records: CoordinatorRecord[] = [];
    const classic = this.classic.get(request.groupId);
    if (classic !== undefined && classic.currentState !== 'Dead') {
      if (classic.currentState !== 'Empty') {
        const response = {
          throttleTimeMs: 0,
          errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
          errorMessage: `Group ${request.groupId} is not a consumer group.`,
          memberId: null,
          memberEpoch: 0,
          heartbeatIntervalMs: 0,
          assignment: null,
        };
        return { response, records };
      }
      if (classic.isNew) this.classic.forgetUnpersisted(request.groupId);
      else records.push(...this.classic.deleteGroup(request.groupId, ctx.now).effects.records);
    }
    const result = this.consumer.heartbeat(request, ctx, topics);
    records.push(...result.records);
    return { response: result.response, records };
  }

  consumerGroupDescribe(groupId: string, topics: TopicsView, operations: number | null): ConsumerGroupDescribeResponseDescribedGroup {
    return this.consumer.describe(groupId, topics, operations !== null, operations ?? undefined);
  }

  // ---- offsets -------------------------------------------------------------------------------

  /**
   * OffsetCommit (Kafka's OffsetMetadataManager.commitOffset): the group validates the member and
   * generation, then every partition gets a record or OFFSET_METADATA_TOO_LARGE. A commit with
   * generation -1 to a group that does not exist creates a simple group; with a generation, it
   * fails with ILLEGAL_GENERATION (GROUP_ID_NOT_FOUND from v9).
   */
  commitOffsets(request: OffsetCommitRequest, apiVersion: number, now: number): ShardResult<OffsetCommitResponseTopic[]> {
    const groupError = this.validateOffsetCommit(request, apiVersion, now);
    const expireTimestamp = apiVersion >= 2 && apiVersion <= 4 && request.retentionTimeMs !== -1 ? now + request.retentionTimeMs : -1;
    const { response, records } = this.offsetCommitRecords(request.groupId, request.topics, groupError, {
      now,
      withLeaderEpoch: apiVersion >= 6,
      expireTimestamp,
    });
    this.replayAll(records, now);
    return { response, records };
  }

  /** Each partition of a commit: its record, or the group's error, or OFFSET_METADATA_TOO_LARGE. */
  private offsetCommitRecords(
    groupId: string,
    topics: readonly CommittedTopic[],
    groupError: number,
    value: { readonly now: number; readonly withLeaderEpoch: boolean; readonly expireTimestamp: number },
  ): { response: OffsetCommitResponseTopic[]; records: OffsetCommitRecord[] } {
    const records: OffsetCommitRecord[] = [];
    const response = topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        let errorCode = groupError;
        if (errorCode === ErrorCode.NONE && (p.committedMetadata ?? '').length > this.config.offsetMetadataMaxBytes) {
          errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        }
        if (errorCode === ErrorCode.NONE) {
          records.push(
            offsetCommitRecord(groupId, topic.name, p.partitionIndex, {
              offset: p.committedOffset,
              leaderEpoch: value.withLeaderEpoch ? p.committedLeaderEpoch : -1,
              metadata: p.committedMetadata ?? '',
              commitTimestamp: value.now,
              expireTimestamp: value.expireTimestamp,
            }),
          );
        }
        return { partitionIndex: p.partitionIndex, errorCode };
      }),
    }));
    return { response, records };
  }

  private validateOffsetCommit(request: OffsetCommitRequest, apiVersion: number, now: number): number {
    if (request.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    if (this.consumer.has(request.groupId)) {
      return this.consumer.validateOffsetCommit(request.groupId, request.memberId, request.generationIdOrMemberEpoch, { apiVersion });
    }
    let group = this.classic.get(request.groupId);
    if (group === undefined) {
      if (request.generationIdOrMemberEpoch >= 0) return apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION;
      group = this.classic.getOrCreateSimple(request.groupId);
    }
    const errorCode = group.validateOffsetCommit(request.memberId, request.groupInstanceId, request.generationIdOrMemberEpoch, now);
    this.classic.touch(group);
    return errorCode;
  }

  /**
   * TxnOffsetCommit (Kafka's OffsetMetadataManager.commitTransactionalOffset): the group validates
   * the member and generation with transactional semantics (v0-v2 send neither and are accepted
   * whatever the group's state), then every partition gets a record or OFFSET_METADATA_TOO_LARGE.
   * The records become the producer's pending offsets at once (see {@link TxnOffsetCommitDecision}).
   */
  commitTransactionalOffsets(request: TxnOffsetCommitRequest, apiVersion: number, now: number): TxnOffsetCommitDecision {
    const groupError = this.validateTransactionalOffsetCommit(request, now);
    const { response, records } = this.offsetCommitRecords(request.groupId, request.topics, groupError, {
      now,
      withLeaderEpoch: apiVersion >= 2,
      expireTimestamp: -1,
    });
    const { producerId, producerEpoch } = request;
    const replaced: ReplacedPendingOffset[] = [];
    for (const record of records) {
      const { group, topic, partition } = record.key;
      replaced.push({ groupId: group, topic, partition, recordSeq: this.recordSeq, previous: this.pendingOffsets.get(producerId, group, topic, partition) });
      this.replay(record, now, producerId);
    }
    return { response, records, producerId, producerEpoch, replaced };
  }

  /**
   * Undoes a TxnOffsetCommit whose batch storage refused: each pending offset it wrote goes back to
   * what it replaced, unless a later record changed it since.
   */
  revertTransactionalOffsets(decision: TxnOffsetCommitDecision): void {
    for (const { groupId, topic, partition, recordSeq, previous } of [...decision.replaced].reverse()) {
      if (this.pendingOffsets.get(decision.producerId, groupId, topic, partition)?.recordSeq !== recordSeq) continue;
      this.pendingOffsets.restore(decision.producerId, groupId, topic, partition, previous);
    }
  }

  /** Kafka's validateTransactionalOffsetCommit: a stale member epoch of a consumer group answers ILLEGAL_GENERATION. */
  private validateTransactionalOffsetCommit(request: TxnOffsetCommitRequest, now: number): number {
    if (request.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    if (this.consumer.has(request.groupId)) {
      const errorCode = this.consumer.validateOffsetCommit(request.groupId, request.memberId, request.generationId, { isTransactional: true });
      return errorCode === ErrorCode.STALE_MEMBER_EPOCH ? ErrorCode.ILLEGAL_GENERATION : errorCode;
    }
    let group = this.classic.get(request.groupId);
    if (group === undefined) {
      if (request.generationId >= 0) return ErrorCode.ILLEGAL_GENERATION;
      group = this.classic.getOrCreateSimple(request.groupId);
    }
    const errorCode = group.validateOffsetCommit(request.memberId, request.groupInstanceId, request.generationId, now, true);
    this.classic.touch(group);
    return errorCode;
  }

  /** Whether an open transaction holds an offset of the partition for the group (Kafka's hasPendingTransactionalOffsets). */
  hasPendingTransactionalOffsets(groupId: string, topic: string, partition: number): boolean {
    return this.pendingOffsets.has(groupId, topic, partition);
  }

  /**
   * OffsetFetch for one group (Kafka's fetchOffsets / fetchAllOffsets). A group without offsets
   * answers -1 for every partition asked for; a partition without a committed offset too.
   * Offsets of open transactions are not visible: the partition answers its last committed
   * offset, or UNSTABLE_OFFSET_COMMIT (offset -1) when the query requires stable offsets.
   */
  fetchOffsets(query: OffsetFetchQuery): FetchedGroupOffsets {
    const requireStable = query.requireStable === true;
    const fetched = (topic: string, partition: number, committed: CommittedOffset | undefined): FetchedOffset =>
      requireStable && this.pendingOffsets.has(query.groupId, topic, partition) ? unstableOffset(partition) : fetchedOffset(partition, committed);
    if (query.groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
    if (this.consumer.has(query.groupId) && query.memberEpoch !== undefined && (query.memberEpoch !== -1 || query.memberId != null)) {
      const errorCode = this.consumer.validateOffsetFetch(query.groupId, query.memberId ?? null, query.memberEpoch);
      if (errorCode !== ErrorCode.NONE) return { errorCode, topics: [] };
    }
    if (query.topics === null) {
      const byTopic = new Map<string, FetchedOffset[]>();
      for (const { topic, partition, committed } of this.offsets.offsetsOf(query.groupId)) {
        let partitions = byTopic.get(topic);
        if (partitions === undefined) byTopic.set(topic, (partitions = []));
        partitions.push(fetched(topic, partition, committed));
      }
      return { errorCode: ErrorCode.NONE, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: query.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => fetched(t.name, p, this.offsets.get(query.groupId, t.name, p))),
      })),
    };
  }

  /**
   * OffsetDelete (Kafka's OffsetMetadataManager.deleteOffsets): a group with members may lose the
   * offsets of topics it does not subscribe to, and only if it is a consumer group; the others
   * answer GROUP_SUBSCRIBED_TO_TOPIC. Deleting an offset that does not exist succeeds. A partition
   * with a committed offset or an offset in an open transaction gets a tombstone, which also
   * removes it from the open transactions (Kafka's deleteOffsets).
   */
  deleteOffsets(groupId: string, topics: readonly OffsetDeleteRequestTopic[], now: number): ShardResult<{ errorCode: number; topics: OffsetDeleteResponseTopic[] }> {
    const group = this.classic.get(groupId);
    const groupError = (errorCode: number) => ({ response: { errorCode, topics: [] }, records: [] });
    if (groupId === '') return groupError(ErrorCode.INVALID_GROUP_ID);
    let subscribed: ReadonlySet<string> | null;
    if (this.consumer.has(groupId)) {
      subscribed = this.consumer.subscribedTopics(groupId);
    } else {
      if (group === undefined || group.currentState === 'Dead') return groupError(ErrorCode.GROUP_ID_NOT_FOUND);
      subscribed = group.currentState === 'Empty' ? new Set<string>() : subscribedTopics(group);
    }
    if (subscribed === null) return groupError(ErrorCode.NON_EMPTY_GROUP);
    const records: CoordinatorRecord[] = [];
    const response = topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map(({ partitionIndex }) => {
        if (subscribed.has(topic.name)) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        if (this.offsets.get(groupId, topic.name, partitionIndex) !== undefined || this.pendingOffsets.has(groupId, topic.name, partitionIndex)) {
          records.push(offsetCommitRecord(groupId, topic.name, partitionIndex, null));
        }
        return { partitionIndex, errorCode: ErrorCode.NONE };
      }),
    }));
    this.replayAll(records, now);
    records.push(...this.deleteIfGone(groupId, now));
    return { response: { errorCode: ErrorCode.NONE, topics: response }, records };
  }

  /**
   * Removes expired offsets (Kafka's cleanupGroupMetadata): an Empty group's offsets expire
   * `offsets.retention.minutes` after the group became Empty (or after their commit, for groups
   * loaded without that time); a simple group's, after their commit; a Stable consumer group's,
   * after their commit, for topics no member subscribes to. An offset with an explicit expire
   * time (OffsetCommit v2-v4) expires then. A group left Empty without offsets is deleted. An
   * offset whose partition has an offset in an open transaction does not expire yet, and a group
   * with open transactions is not deleted (Kafka's cleanupExpiredOffsets).
   */
  expireOffsets(now: number): CoordinatorRecord[] {
    const records: CoordinatorRecord[] = [];
    for (const groupId of [...this.offsets.groupIds()]) {
      const group = this.classic.get(groupId);
      const condition = this.consumer.has(groupId)
        ? consumerExpiry(this.consumer.subscribedTopics(groupId))
        : group === undefined
          ? simpleExpiry
          : expiryCondition(group);
      if (condition === null) continue;
      const expired: CoordinatorRecord[] = [];
      for (const { topic, partition, committed } of this.offsets.offsetsOf(groupId)) {
        if (!condition.appliesTo(topic) || this.pendingOffsets.has(groupId, topic, partition)) continue;
        const expires =
          committed.expireTimestamp !== -1
            ? now >= committed.expireTimestamp
            : now - condition.baseTimestamp(committed) >= this.config.offsetsRetentionMs;
        if (expires) expired.push(offsetCommitRecord(groupId, topic, partition, null));
      }
      this.replayAll(expired, now);
      records.push(...expired);
      if (expired.length > 0) records.push(...this.deleteIfGone(groupId, now));
    }
    return records;
  }

  /** An Empty group whose last offset went away, and with no open transaction, is deleted, as Kafka does after expiry. */
  private deleteIfGone(groupId: string, now: number): CoordinatorRecord[] {
    if (this.offsets.hasOffsets(groupId) || this.pendingOffsets.hasOpenTransactions(groupId)) return [];
    if (this.consumer.has(groupId)) return this.consumer.isEmpty(groupId) ? this.consumer.deleteGroup(groupId).records : [];
    const group = this.classic.get(groupId);
    if (group === undefined || group.currentState !== 'Empty') return [];
    // Even a simple group, which has no record of its own, gets a tombstone: a replay of its
    // offsets recreates it, and the tombstone removes it again.
    return this.classic.deleteGroup(groupId, now).effects.records;
  }

  // ---- group administration ------------------------------------------------------------------

  /**
   * DeleteGroups (Kafka's deleteGroups): an Empty group goes with all its offsets, those of open
   * transactions included (a tombstone for each of their partitions without a committed offset,
   * as Kafka's deleteAllOffsets); a group with members answers NON_EMPTY_GROUP.
   */
  deleteGroups(groupIds: readonly string[], now: number): ShardResult<{ groupId: string; errorCode: number }[]> {
    const records: CoordinatorRecord[] = [];
    const response = groupIds.map((groupId) => {
      if (groupId === '') return { groupId, errorCode: ErrorCode.INVALID_GROUP_ID };
      const isConsumerGroup = this.consumer.has(groupId);
      const group = this.classic.get(groupId);
      const hasMembers = isConsumerGroup
        ? !this.consumer.isEmpty(groupId)
        : group !== undefined && group.currentState !== 'Empty' && group.currentState !== 'Dead';
      if (hasMembers) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      const tombstones = [...this.offsets.offsetsOf(groupId)].map(({ topic, partition }) => offsetCommitRecord(groupId, topic, partition, null));
      for (const { topic, partition } of this.pendingOffsets.partitionsOf(groupId)) {
        if (this.offsets.get(groupId, topic, partition) === undefined) tombstones.push(offsetCommitRecord(groupId, topic, partition, null));
      }
      this.replayAll(tombstones, now);
      const deleted = isConsumerGroup ? this.consumer.deleteGroup(groupId) : this.classicDeletion(groupId, now);
      records.push(...tombstones, ...deleted.records);
      return { groupId, errorCode: deleted.errorCode };
    });
    return { response, records };
  }

  private classicDeletion(groupId: string, now: number): { errorCode: number; records: CoordinatorRecord[] } {
    const { errorCode, effects } = this.classic.deleteGroup(groupId, now);
    return { errorCode, records: effects.records };
  }

  /** ListGroups: every live group, filtered by state and type (both case-insensitive, as in Kafka). */
  listGroups(statesFilter: readonly string[], typesFilter: readonly string[]): ListGroupsResponseListedGroup[] {
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(typesFilter.map((t) => t.toLowerCase()));
    const listed: ListGroupsResponseListedGroup[] = [];
    for (const group of this.classic.all()) {
      if (group.currentState === 'Dead') continue;
      if (states.size > 0 && !states.has(group.currentState.toLowerCase())) continue;
      if (types.size > 0 && !types.has(CLASSIC_GROUP_TYPE)) continue;
      listed.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.currentState, groupType: CLASSIC_GROUP_TYPE });
    }
    for (const { groupId, state } of this.consumer.list()) {
      if (states.size > 0 && !states.has(state.toLowerCase())) continue;
      if (types.size > 0 && !types.has(CONSUMER_GROUP_TYPE)) continue;
      listed.push({ groupId, protocolType: CONSUMER_GROUP_TYPE, groupState: state, groupType: CONSUMER_GROUP_TYPE });
    }
    return listed;
  }

  /**
   * DescribeGroups for one group (Kafka's ClassicGroup describe): members with their metadata and
   * assignment once the group is Stable, without them while it rebalances; Dead for an unknown id.
   * `operations` is the authorized-operations field as the handler computed it.
   */
  describeGroup(groupId: string, operations: number): DescribeGroupsResponseDescribedGroup {
    const group = this.classic.get(groupId);
    if (groupId === '') return describedGroup(groupId, ErrorCode.INVALID_GROUP_ID, 'Dead', operations);
    if (group === undefined) return describedGroup(groupId, ErrorCode.NONE, 'Dead', operations);
    const stable = group.currentState === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: group.currentState,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? (m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? EMPTY) : EMPTY,
        memberAssignment: stable ? m.assignment : EMPTY,
      })),
      authorizedOperations: operations,
    };
  }

  // ---- replay and time -----------------------------------------------------------------------

  /**
   * Applies a record read from the partition. `producerId` is that of its batch when the batch is
   * transactional (NO_PRODUCER_ID, -1, otherwise): an offset commit of a transaction is pending
   * until its COMMIT or ABORT marker ({@link replayEndTransactionMarker}).
   */
  replay(record: CoordinatorRecord, now: number, producerId: number = NO_PRODUCER_ID): void {
    const recordSeq = this.recordSeq++;
    switch (record.type) {
      case 'OffsetCommit': {
        const { group, topic, partition } = record.key;
        if (record.value === null) {
          this.offsets.remove(group, topic, partition);
          this.pendingOffsets.removePartition(group, topic, partition);
          break;
        }
        // Offsets of a group that has no record make it a simple group (Kafka's replay does the same).
        if (!this.consumer.has(group)) this.classic.getOrCreateSimple(group);
        const committed = committedOffset(record.value, recordSeq);
        if (producerId === NO_PRODUCER_ID) this.offsets.put(group, topic, partition, committed);
        else this.pendingOffsets.put(producerId, group, topic, partition, committed);
        break;
      }
      case 'GroupMetadata':
        this.classic.replay(record, now);
        break;
      default:
        // Compaction may have left a group's offsets ahead of its consumer-group records.
        this.classic.forgetUnpersisted(record.key.groupId);
        this.consumer.replay(record);
    }
  }

  private replayAll(records: readonly CoordinatorRecord[], now: number): void {
    for (const record of records) this.replay(record, now);
  }

  /**
   * Applies a COMMIT (`commit` true) or ABORT marker of a producer's transaction written to this
   * partition (Kafka's replayEndTransactionMarker): on COMMIT its pending offsets become the
   * committed ones, except where a plain commit of the same partition came later in the log; on
   * ABORT they are dropped. A marker of a producer without pending offsets changes nothing.
   */
  replayEndTransactionMarker(producerId: number, commit: boolean): void {
    const pending = this.pendingOffsets.complete(producerId);
    if (pending === undefined || !commit) return;
    for (const { groupId, topic, partition, committed } of pending.all()) {
      const existing = this.offsets.get(groupId, topic, partition);
      if (existing === undefined || committed.recordSeq > existing.recordSeq) this.offsets.put(groupId, topic, partition, committed);
    }
  }

  onLoaded(now: number): ShardEffects {
    this.consumer.onLoaded(now);
    return this.classic.onLoaded(now);
  }

  nextDeadline(): number | undefined {
    const classic = this.classic.nextDeadline();
    const consumer = this.consumer.nextDeadline();
    if (classic === undefined) return consumer;
    return consumer === undefined ? classic : Math.min(classic, consumer);
  }

  /** Fires the due deadlines: classic sessions and rebalances, consumer-group sessions and revocations. */
  tick(now: number, topics: TopicsView): ShardEffects {
    const classic = this.classic.tick(now);
    return { ...classic, records: [...classic.records, ...this.consumer.tick(now, topics)] };
  }
}

const EMPTY = Buffer.alloc(0);

function describedGroup(groupId: string, errorCode: number, groupState: string, authorizedOperations: number): DescribeGroupsResponseDescribedGroup {
  return { errorCode, groupId, groupState, protocolType: '', protocolData: '', members: [], authorizedOperations };
}

function unstableOffset(partitionIndex: number): FetchedOffset {
  return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT };
}

function fetchedOffset(partitionIndex: number, committed: CommittedOffset | undefined): FetchedOffset {
  if (committed === undefined) return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
  return {
    partitionIndex,
    committedOffset: committed.offset,
    committedLeaderEpoch: committed.leaderEpoch,
    metadata: committed.metadata,
    errorCode: ErrorCode.NONE,
  };
}

interface ExpiryCondition {
  /** The time retention counts from for an offset without an explicit expire time. */
  baseTimestamp(committed: CommittedOffset): number;
  appliesTo(topic: string): boolean;
}

const simpleExpiry: ExpiryCondition = { baseTimestamp: (c) => c.commitTimestamp, appliesTo: () => true };

/** A consumer group's offsets expire from their commit, except for topics its members subscribe to. */
function consumerExpiry(subscribed: ReadonlySet<string>): ExpiryCondition {
  return { baseTimestamp: (c) => c.commitTimestamp, appliesTo: (topic) => !subscribed.has(topic) };
}

/** Kafka's ClassicGroup.offsetExpirationCondition; null when no offset of the group may expire now. */
function expiryCondition(group: ClassicGroup): ExpiryCondition | null {
  if (group.protocolType === null) return group.currentState === 'Empty' ? simpleExpiry : null;
  if (group.currentState === 'Empty') {
    const since = group.currentStateTimestamp;
    return { baseTimestamp: (c) => (since === -1 ? c.commitTimestamp : since), appliesTo: () => true };
  }
  if (group.currentState !== 'Stable') return null;
  const subscribed = subscribedTopics(group);
  if (subscribed === null) return null;
  return { baseTimestamp: (c) => c.commitTimestamp, appliesTo: (topic) => !subscribed.has(topic) };
}
