import type { ConsumerGroupDescribeResponseDescribedGroup } from '../../../protocol/generated/clients/consumer-group-describe-response.js';
import { createConsumerGroupDescribeResponseDescribedGroup } from '../../../protocol/generated/clients/consumer-group-describe-response.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatRequestTopicPartitions } from '../../../protocol/generated/clients/consumer-group-heartbeat-request.js';
import type { ConsumerGroupHeartbeatResponse } from '../../../protocol/generated/clients/consumer-group-heartbeat-response.js';
import { ErrorCode } from '../../../protocol/generated/error-codes.js';
import type { Random } from '../../../util/random.js';
import { randomUuid } from '../../../util/uuid.js';
import type { CoordinatorRecord } from '../coordinator-records.js';
import { EMPTY_ASSIGNMENT, assignmentEquals, assignmentToList, hasPartition, type Assignment } from './assignment.js';
import type { PartitionAssignor } from './assignors/assignor.js';
import { ASSIGNORS } from './assignors/registry.js';
import { AUTHORIZED_OPERATIONS_OMITTED, ConsumerGroup, type ConsumerGroupState } from './consumer-group.js';
import { needsFencingForUnknownState, reconcile } from './current-assignment.js';
import {
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  MemberState,
  isReconciledTo,
  newMember,
  normalizeTopicNames,
  sameCurrentAssignment,
  sameMetadata,
  sameSubscription,
  type ConsumerGroupMember,
} from './member.js';
import { MemberTimers } from './member-timers.js';
import {
  currentAssignmentRecord,
  groupEpochRecord,
  isConsumerGroupRecord,
  memberMetadataRecord,
  memberTombstones,
  partitionMetadataRecord,
  targetAssignmentEpochRecord,
  targetAssignmentRecord,
  type ConsumerGroupRecord,
} from './records.js';
import { replayConsumerGroupRecord } from './replay.js';
import { GroupError, validateHeartbeatRequest } from './request-validation.js';
import { computeSubscriptionMetadata, regexProblem, sameSubscriptionMetadata } from './subscription.js';
import { targetAssignmentRecords } from './target-assignment.js';
import type { TopicsView } from './topics-view.js';

export interface ConsumerGroupConfig {
  /** group.consumer.session.timeout.ms */
  readonly sessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms */
  readonly heartbeatIntervalMs: number;
  /** group.consumer.max.size */
  readonly maxSize: number;
  /** group.consumer.assignors: names of server-side assignors; the first is the default. */
  readonly assignors: readonly string[];
}

export const DEFAULT_CONSUMER_GROUP_CONFIG: ConsumerGroupConfig = {
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 5_000,
  maxSize: 2_147_483_647,
  assignors: ['uniform', 'range'],
};

export interface HeartbeatContext {
  readonly apiVersion: number;
  readonly clientId: string;
  readonly clientHost: string;
  readonly now: number;
}

export interface HeartbeatResult {
  readonly response: ConsumerGroupHeartbeatResponse;
  /** Already replayed onto the groups; to be appended to `__consumer_offsets` as one batch. */
  readonly records: CoordinatorRecord[];
}

/** A member as a heartbeat finds it, and the static member it replaces, if any. */
interface ResolvedMember {
  readonly member: ConsumerGroupMember;
  readonly replaces?: ConsumerGroupMember;
}

/**
 * The consumer groups (KIP-848) of one `__consumer_offsets` partition: Kafka's GroupMetadataManager
 * for ConsumerGroupHeartbeat, with the groups' session and revocation deadlines. Pure: every change
 * is a record, replayed through `replay` the moment it is written, so a load from the log rebuilds
 * exactly the state the operations built. A refused request writes nothing.
 */
export class ConsumerGroups {
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly timers = new MemberTimers();

  constructor(
    private readonly config: ConsumerGroupConfig,
    private readonly random: Random,
  ) {
    if (config.assignors.length === 0) throw new Error('group.consumer.assignors must name at least one assignor');
    for (const name of config.assignors) {
      if (!ASSIGNORS.has(name)) throw new Error(`group.consumer.assignors: unknown assignor ${name} (known: ${[...ASSIGNORS.keys()].join(', ')})`);
    }
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  isEmpty(groupId: string): boolean {
    return this.groups.get(groupId)?.state() === 'Empty';
  }

  /** The topics a group's members subscribe to that exist (offset retention and OffsetDelete spare them). */
  subscribedTopics(groupId: string): ReadonlySet<string> {
    return new Set(this.groups.get(groupId)?.subscriptionMetadata.keys() ?? []);
  }

  list(): { groupId: string; state: ConsumerGroupState }[] {
    return [...this.groups.values()].map((group) => ({ groupId: group.groupId, state: group.state() }));
  }

  heartbeat(request: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext, topics: TopicsView): HeartbeatResult {
    const records: ConsumerGroupRecord[] = [];
    try {
      validateHeartbeatRequest(request, ctx.apiVersion, this.config.assignors);
      const response = request.memberEpoch < 0 ? this.leave(request, topics, records) : this.joinOrHeartbeat(request, ctx, topics, records);
      return { response, records };
    } catch (error) {
      if (!(error instanceof GroupError)) throw error;
      return {
        response: {
          throttleTimeMs: 0,
          errorCode: error.errorCode,
          errorMessage: error.message,
          memberId: null,
          memberEpoch: 0,
          heartbeatIntervalMs: 0,
          assignment: null,
        },
        records: [],
      };
    }
  }

  /**
   * The ConsumerGroupDescribe entry of a group (GROUP_ID_NOT_FOUND when it does not exist). When
   * `includeAuthorizedOperations`, AuthorizedOperations is `authorizedOperations` (which the
   * caller computes from the ACLs); otherwise Kafka's "not requested" value.
   */
  describe(
    groupId: string,
    topics: TopicsView,
    includeAuthorizedOperations: boolean,
    authorizedOperations = AUTHORIZED_OPERATIONS_OMITTED,
  ): ConsumerGroupDescribeResponseDescribedGroup {
    const group = this.groups.get(groupId);
    if (group === undefined) return createConsumerGroupDescribeResponseDescribedGroup({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
    return group.describe(topics, this.config.assignors, includeAuthorizedOperations ? authorizedOperations : AUTHORIZED_OPERATIONS_OMITTED);
  }

  /** Applies a record written earlier (a load, or a follower). Records of other kinds are ignored. */
  replay(record: CoordinatorRecord): void {
    if (isConsumerGroupRecord(record)) replayConsumerGroupRecord(this.groups, record);
  }

  /** After a load from the log: every member's session starts now, as do pending revocations. */
  onLoaded(now: number): void {
    for (const group of this.groups.values()) {
      for (const member of group.allMembers()) {
        this.timers.scheduleSession(group.groupId, member.memberId, now + this.config.sessionTimeoutMs);
        if (member.state === MemberState.UNREVOKED_PARTITIONS) {
          this.timers.scheduleRebalance(group.groupId, member.memberId, member.memberEpoch, now + member.rebalanceTimeoutMs);
        }
      }
    }
  }

  nextDeadline(): number | undefined {
    return this.timers.nextDeadline();
  }

  /**
   * Fires the deadlines due at `now`, earliest first: a member whose session expired, or that
   * still has not revoked partitions at the epoch its revocation deadline was set for, is fenced.
   */
  tick(now: number, topics: TopicsView): CoordinatorRecord[] {
    const records: ConsumerGroupRecord[] = [];
    for (let timer = this.timers.takeDue(now); timer !== undefined; timer = this.timers.takeDue(now)) {
      const member = this.groups.get(timer.groupId)?.member(timer.memberId);
      if (member === undefined) continue;
      if (timer.kind === 'rebalance' && member.memberEpoch !== timer.memberEpoch) continue;
      this.fence(timer.groupId, member, topics, records);
    }
    return records;
  }

  /** DeleteGroups for a consumer group: only an Empty group can go; its tombstones make it disappear. */
  deleteGroup(groupId: string): { errorCode: number; records: CoordinatorRecord[] } {
    const group = this.groups.get(groupId);
    if (group === undefined) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, records: [] };
    if (group.state() !== 'Empty') return { errorCode: ErrorCode.NON_EMPTY_GROUP, records: [] };
    // An Empty group has no member records left: members leave with their tombstones.
    const records: ConsumerGroupRecord[] = [];
    this.emit(records, targetAssignmentEpochRecord(groupId, null));
    this.emit(records, partitionMetadataRecord(groupId, null));
    this.emit(records, groupEpochRecord(groupId, null));
    return { errorCode: ErrorCode.NONE, records };
  }

  /**
   * OffsetCommit (and TxnOffsetCommit, with `isTransactional`) checks for a consumer group, as
   * Kafka's ConsumerGroup.validateOffsetCommit. GROUP_ID_NOT_FOUND when the group does not exist:
   * whether to create a simple group then is the offsets code's decision. `apiVersion` defaults to
   * 9, the first OffsetCommit version a consumer-protocol member may use.
   */
  validateOffsetCommit(groupId: string, memberId: string, memberEpoch: number, options: { apiVersion?: number; isTransactional?: boolean } = {}): number {
    const group = this.groups.get(groupId);
    if (group === undefined) return ErrorCode.GROUP_ID_NOT_FOUND;
    return group.validateOffsetCommit(memberId, memberEpoch, options.apiVersion ?? 9, options.isTransactional ?? false);
  }

  /** OffsetFetch v9+ checks for a consumer group, as Kafka's ConsumerGroup.validateOffsetFetch. */
  validateOffsetFetch(groupId: string, memberId: string | null, memberEpoch: number): number {
    const group = this.groups.get(groupId);
    if (group === undefined) return ErrorCode.GROUP_ID_NOT_FOUND;
    return group.validateOffsetFetch(memberId, memberEpoch);
  }

  private emit(records: ConsumerGroupRecord[], record: ConsumerGroupRecord): void {
    records.push(record);
    replayConsumerGroupRecord(this.groups, record);
  }

  /** The group a record has been written for; it exists from the first record on. */
  private persisted(groupId: string): ConsumerGroup {
    const group = this.groups.get(groupId);
    if (group === undefined) throw new Error(`consumer group ${groupId} has no record yet`);
    return group;
  }

  /**
   * A heartbeat with epoch 0 (join) or above, in Kafka's three steps: update the member (a new
   * subscription or new metadata of the subscribed topics bumps the group epoch), compute a new
   * target assignment if the group epoch is ahead of it, and move the member towards its target.
   */
  private joinOrHeartbeat(
    request: ConsumerGroupHeartbeatRequest,
    ctx: HeartbeatContext,
    topics: TopicsView,
    records: ConsumerGroupRecord[],
  ): ConsumerGroupHeartbeatResponse {
    const { groupId, memberEpoch } = request;
    const existingGroup = this.groups.get(groupId);
    if (existingGroup === undefined && memberEpoch !== 0) throw new GroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`);
    const group = existingGroup ?? new ConsumerGroup(groupId);
    if (group.memberCount >= this.config.maxSize && (request.memberId === '' || group.member(request.memberId) === undefined)) {
      throw new GroupError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.config.maxSize} members.`);
    }
    const memberId = request.memberId === '' ? randomUuid(this.random) : request.memberId;
    const { member, replaces } = resolveMember(group, memberId, request);
    const regex = request.subscribedTopicRegex === null ? member.subscribedTopicRegex : request.subscribedTopicRegex || null;
    if (regex !== null && regex !== member.subscribedTopicRegex) {
      const problem = regexProblem(regex);
      if (problem !== null) throw new GroupError(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex \`${regex}\` is not a valid regular expression: ${problem}.`);
    }
    if (needsFencingForUnknownState(member, request.topicPartitions)) {
      throw new GroupError(ErrorCode.FENCED_MEMBER_EPOCH, 'The consumer group member is in a unknown state. The member must abandon all its partitions and rejoin.');
    }

    // From here on nothing is refused: every step writes (and replays) its records.
    if (replaces !== undefined) {
      for (const record of replaceMemberRecords(groupId, replaces, member, group.targetAssignment(replaces.memberId))) this.emit(records, record);
    }
    const updated: ConsumerGroupMember = {
      ...member,
      instanceId: request.instanceId ?? member.instanceId,
      rackId: request.rackId ?? member.rackId,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs === -1 ? member.rebalanceTimeoutMs : request.rebalanceTimeoutMs,
      serverAssignor: request.serverAssignor ?? member.serverAssignor,
      subscribedTopicNames: request.subscribedTopicNames === null ? member.subscribedTopicNames : normalizeTopicNames(request.subscribedTopicNames),
      subscribedTopicRegex: regex,
      clientId: ctx.clientId,
      clientHost: ctx.clientHost,
    };
    // A new group must leave epoch 0 even if its first member subscribes to nothing.
    let bumpGroupEpoch = group.groupEpoch === 0;
    if (!sameMetadata(updated, member)) {
      this.emit(records, memberMetadataRecord(groupId, updated));
      if (!sameSubscription(updated, member)) bumpGroupEpoch = true;
    }
    const current = this.groups.get(groupId) ?? group;
    const metadata = computeSubscriptionMetadata(current.allMembers(), topics);
    if (!sameSubscriptionMetadata(metadata, current.subscriptionMetadata)) {
      this.emit(records, partitionMetadataRecord(groupId, metadata));
      bumpGroupEpoch = true;
    }
    if (bumpGroupEpoch) this.emit(records, groupEpochRecord(groupId, current.groupEpoch + 1));

    const live = this.persisted(groupId);
    if (live.groupEpoch > live.assignmentEpoch) {
      for (const record of targetAssignmentRecords(live, live.groupEpoch, this.assignorFor(live))) this.emit(records, record);
    }
    let reconciled = updated;
    if (!isReconciledTo(updated, live.assignmentEpoch)) {
      reconciled = reconcile(updated, {
        targetAssignmentEpoch: live.assignmentEpoch,
        targetAssignment: live.targetAssignment(memberId),
        partitionEpoch: (topicId, partition) => live.partitionEpoch(topicId, partition),
        ownedPartitions: request.topicPartitions,
      });
      if (!sameCurrentAssignment(reconciled, updated)) {
        this.emit(records, currentAssignmentRecord(groupId, reconciled));
        if (reconciled.state === MemberState.UNREVOKED_PARTITIONS) {
          this.timers.scheduleRebalance(groupId, memberId, reconciled.memberEpoch, ctx.now + reconciled.rebalanceTimeoutMs);
        } else {
          this.timers.cancelRebalance(groupId, memberId);
        }
      }
    }
    this.timers.scheduleSession(groupId, memberId, ctx.now + this.config.sessionTimeoutMs);

    // The assignment goes out when it changed, or when the request was a full one (a join, or a
    // member resending everything after an error) and so may have lost track of it.
    const isFullRequest =
      memberEpoch === 0 || (request.rebalanceTimeoutMs !== -1 && request.subscribedTopicNames !== null && request.topicPartitions !== null);
    const sendAssignment = isFullRequest || !assignmentEquals(member.assignedPartitions, reconciled.assignedPartitions);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: reconciled.memberId,
      memberEpoch: reconciled.memberEpoch,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      assignment: sendAssignment ? { topicPartitions: assignmentToList(reconciled.assignedPartitions) } : null,
    };
  }

  /** Epoch -1 (leave) or -2 (a static member leaving for a while, keeping its assignment). */
  private leave(request: ConsumerGroupHeartbeatRequest, topics: TopicsView, records: ConsumerGroupRecord[]): ConsumerGroupHeartbeatResponse {
    const { groupId, memberId, memberEpoch, instanceId } = request;
    const group = this.groups.get(groupId);
    if (group === undefined) throw new GroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
    const response = (epoch: number): ConsumerGroupHeartbeatResponse => ({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: epoch,
      heartbeatIntervalMs: 0,
      assignment: null,
    });
    if (instanceId === null) {
      const member = group.member(memberId);
      if (member === undefined) throw unknownMember(memberId, groupId);
      this.fence(groupId, member, topics, records);
      return response(memberEpoch);
    }
    const member = group.staticMember(instanceId);
    if (member === undefined) throw unknownInstance(instanceId);
    if (member.memberId !== memberId) throw fencedInstance(memberId, instanceId, member.memberId);
    if (memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      this.emit(records, currentAssignmentRecord(groupId, { ...member, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, partitionsPendingRevocation: EMPTY_ASSIGNMENT }));
      return response(LEAVE_GROUP_STATIC_MEMBER_EPOCH);
    }
    this.fence(groupId, member, topics, records);
    return response(memberEpoch);
  }

  /** Removes a member (leave, expiry, revocation timeout): its tombstones, then a new group epoch. */
  private fence(groupId: string, member: ConsumerGroupMember, topics: TopicsView, records: ConsumerGroupRecord[]): void {
    for (const record of memberTombstones(groupId, member.memberId)) this.emit(records, record);
    const group = this.persisted(groupId);
    const metadata = computeSubscriptionMetadata(group.allMembers(), topics);
    if (!sameSubscriptionMetadata(metadata, group.subscriptionMetadata)) this.emit(records, partitionMetadataRecord(groupId, metadata));
    this.emit(records, groupEpochRecord(groupId, group.groupEpoch + 1));
    this.timers.cancelAll(groupId, member.memberId);
  }

  private assignorFor(group: ConsumerGroup): PartitionAssignor {
    const name = group.preferredServerAssignor(this.config.assignors) ?? this.config.assignors[0];
    return ASSIGNORS.get(name) as PartitionAssignor;
  }
}

/**
 * Finds the member a join or heartbeat is for, or the new member a join creates, refusing the
 * request as Kafka does (unknown member or instance, fenced instance, epoch out of line, an
 * instance id still held by a member that did not leave with epoch -2).
 */
function resolveMember(group: ConsumerGroup, memberId: string, request: ConsumerGroupHeartbeatRequest): ResolvedMember {
  const joining = request.memberEpoch === 0;
  const { instanceId } = request;
  if (instanceId === null) {
    const existing = group.member(memberId);
    if (existing === undefined) {
      if (!joining) throw unknownMember(memberId, group.groupId);
      return { member: newMember(memberId) };
    }
    checkMemberEpoch(existing, request.memberEpoch, request.topicPartitions);
    return { member: existing };
  }
  const existing = group.staticMember(instanceId);
  if (joining) {
    if (existing === undefined) return { member: group.member(memberId) ?? newMember(memberId) };
    if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      throw new GroupError(
        ErrorCode.UNRELEASED_INSTANCE_ID,
        `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`,
      );
    }
    return { member: { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 }, replaces: existing };
  }
  if (existing === undefined) throw unknownInstance(instanceId);
  if (existing.memberId !== memberId) throw fencedInstance(memberId, instanceId, existing.memberId);
  checkMemberEpoch(existing, request.memberEpoch, request.topicPartitions);
  return { member: existing };
}

/**
 * A member must heartbeat at its epoch, or at its previous one while owning only partitions it
 * still has (the response that bumped its epoch may have been lost).
 */
function checkMemberEpoch(member: ConsumerGroupMember, received: number, owned: readonly ConsumerGroupHeartbeatRequestTopicPartitions[] | null): void {
  if (received > member.memberEpoch) {
    throw new GroupError(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  }
  if (received < member.memberEpoch && (received !== member.previousMemberEpoch || !ownsOnly(owned, member.assignedPartitions))) {
    throw new GroupError(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  }
}

function ownsOnly(owned: readonly ConsumerGroupHeartbeatRequestTopicPartitions[] | null, assignment: Assignment): boolean {
  return owned !== null && owned.every(({ topicId, partitions }) => assignment.has(topicId) && partitions.every((partition) => hasPartition(assignment, topicId, partition)));
}

/** Kafka's replaceMember: the departed static member's records move to the member id that rejoined. */
function replaceMemberRecords(groupId: string, departed: ConsumerGroupMember, rejoined: ConsumerGroupMember, target: Assignment): ConsumerGroupRecord[] {
  return [
    ...memberTombstones(groupId, departed.memberId),
    memberMetadataRecord(groupId, rejoined),
    targetAssignmentRecord(groupId, rejoined.memberId, target),
    currentAssignmentRecord(groupId, rejoined),
  ];
}

function unknownMember(memberId: string, groupId: string): GroupError {
  return new GroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${groupId}.`);
}

function unknownInstance(instanceId: string): GroupError {
  return new GroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
}

function fencedInstance(memberId: string, instanceId: string, ownerId: string): GroupError {
  return new GroupError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${ownerId}.`);
}
