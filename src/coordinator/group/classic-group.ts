import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { JoinGroupRequest, JoinGroupRequestProtocol } from '../../protocol/generated/clients/join-group-request.js';
import type { JoinGroupResponse, JoinGroupResponseMember } from '../../protocol/generated/clients/join-group-response.js';
import type { SyncGroupRequest } from '../../protocol/generated/clients/sync-group-request.js';
import type { HeartbeatRequest } from '../../protocol/generated/clients/heartbeat-request.js';
import type { LeaveGroupRequest, LeaveGroupRequestMemberIdentity } from '../../protocol/generated/clients/leave-group-request.js';
import type { LeaveGroupResponse, LeaveGroupResponseMemberResponse } from '../../protocol/generated/clients/leave-group-response.js';
import type { GroupMetadataValue } from '../../protocol/generated/group-coordinator/group-metadata-value.js';
import type { Random } from '../../util/random.js';
import { randomUuid } from '../../util/uuid.js';
import {
  type ClassicGroupConfig,
  type ClassicGroupMember,
  type ClassicGroupState,
  EMPTY_ASSIGNMENT,
  emptyEffects,
  type GroupEffects,
  type GroupReply,
  joinError,
  type ReplyTo,
  type RequestContext,
  syncError,
  UNKNOWN_MEMBER_ID,
} from './classic-group-model.js';
import { groupMetadataRecord, type GroupMetadataRecord } from './coordinator-records.js';
import { candidateProtocols, selectProtocol } from './protocol-selection.js';

type Timer =
  | { readonly kind: 'heartbeat'; readonly at: number; readonly memberId: string }
  | { readonly kind: 'join'; readonly at: number }
  | { readonly kind: 'initial-delay'; readonly at: number; readonly delayMs: number; readonly remainingMs: number }
  | { readonly kind: 'pending-sync'; readonly at: number; readonly generationId: number };

const VALID_PREVIOUS_STATES: Record<ClassicGroupState, readonly ClassicGroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

/**
 * One classic consumer group: Kafka's ClassicGroup and the classic-protocol half of its
 * GroupMetadataManager, pure and synchronous. Every operation takes the request and `now` and
 * returns {@link GroupEffects}; deadlines live in the group and fire in {@link tick}.
 *
 * The durable part of the group (generation, protocol, leader, members and their assignments,
 * Stable/Empty/Dead) changes by replaying GroupMetadataValue records: an operation that writes a
 * record builds it and replays it through {@link replay}, the same path a load from the log takes.
 * Like Kafka, the group writes a record only where its record format can describe it: when a
 * group is created, when a generation ends empty, when the leader's assignment arrives, when a
 * static member is replaced in Stable, and when the group is deleted. Joins, leaves and timeouts
 * during a rebalance are in-memory until then, as in Kafka.
 */
export class ClassicGroup {
  private state: ClassicGroupState = 'Empty';
  private previousState: ClassicGroupState = 'Empty';
  private stateTimestamp = -1;
  private generation = 0;
  private protocolTypeValue: string | null = null;
  private protocolNameValue: string | null = null;
  private leaderId: string | null = null;
  private readonly memberMap = new Map<string, ClassicGroupMember>();
  private readonly staticMembers = new Map<string, string>();
  private readonly pendingJoinMembers = new Set<string>();
  private readonly pendingSyncMembers = new Set<string>();
  private numAwaitingJoin = 0;
  private newMemberAdded = false;
  private persisted = false;
  private readonly timers = new Map<string, Timer>();
  private fx: GroupEffects = emptyEffects();

  constructor(
    readonly groupId: string,
    private readonly config: ClassicGroupConfig,
    private readonly random: Random,
  ) {}

  /** True until the group's first record is written or replayed: it does not exist yet. */
  get isNew(): boolean {
    return !this.persisted;
  }

  /** Rebuilds a group from its latest record in `__consumer_offsets`, as a load does. */
  static fromRecord(
    record: GroupMetadataRecord,
    config: ClassicGroupConfig,
    random: Random,
    now: number,
  ): ClassicGroup {
    const group = new ClassicGroup(record.key.group, config, random);
    group.replay(record, now);
    return group;
  }

  // ---- views -------------------------------------------------------------------------------

  get currentState(): ClassicGroupState {
    return this.state;
  }

  get generationId(): number {
    return this.generation;
  }

  get protocolType(): string | null {
    return this.protocolTypeValue;
  }

  get protocolName(): string | null {
    return this.protocolNameValue;
  }

  get leader(): string | null {
    return this.leaderId;
  }

  get members(): ReadonlyMap<string, Readonly<ClassicGroupMember>> {
    return this.memberMap;
  }

  /** Member ids handed out by a MEMBER_ID_REQUIRED answer and not yet used to join. */
  get pendingMembers(): ReadonlySet<string> {
    return this.pendingJoinMembers;
  }

  /** When the group entered its current state (DescribeGroups and offset retention read it). */
  get currentStateTimestamp(): number {
    return this.stateTimestamp;
  }

  /**
   * Whether an OffsetCommit from this member may commit (Kafka's ClassicGroup.validateOffsetCommit):
   * anyone may commit to an Empty group with generation -1 (a consumer outside any group); otherwise
   * the member must be in the group with the current generation, and then not while the assignment
   * of a new generation is pending. A valid commit also counts as a heartbeat.
   *
   * A transactional commit (TxnOffsetCommit) without member id and generation (v0-v2, or a
   * producer outside the group) is accepted whatever the group's state, is not refused while the
   * group completes a rebalance, and is no heartbeat, as in Kafka.
   */
  validateOffsetCommit(memberId: string, groupInstanceId: string | null, generationId: number, now: number, isTransactional = false): number {
    if (this.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && this.state === 'Empty') return ErrorCode.NONE;
    if (generationId >= 0 || memberId !== UNKNOWN_MEMBER_ID || groupInstanceId !== null) {
      const memberError = this.validateMember(memberId, groupInstanceId);
      if (memberError !== ErrorCode.NONE) return memberError;
      if (generationId !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    } else if (!isTransactional && this.state !== 'Empty') {
      return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    if (isTransactional) return ErrorCode.NONE;
    if (this.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = this.memberMap.get(memberId);
    if (member !== undefined && (this.state === 'Stable' || this.state === 'PreparingRebalance')) this.rescheduleHeartbeat(member, now);
    return ErrorCode.NONE;
  }

  /** The earliest deadline the driver must call {@link tick} at, if any. */
  nextDeadline(): number | undefined {
    let earliest: number | undefined;
    for (const timer of this.timers.values()) if (earliest === undefined || timer.at < earliest) earliest = timer.at;
    return earliest;
  }

  /** The record that describes the group as it stands, e.g. for a snapshot of the partition. */
  currentRecord(now: number): GroupMetadataRecord {
    if (this.state === 'Dead') return groupMetadataRecord(this.groupId, null);
    const assignment = new Map<string, Buffer>();
    for (const member of this.memberMap.values()) assignment.set(member.memberId, member.assignment);
    return groupMetadataRecord(this.groupId, this.metadataValue(assignment, now));
  }

  // ---- replay ------------------------------------------------------------------------------

  /**
   * Applies a record of this group: the value sets the generation, protocol, leader, members and
   * assignments, and moves the group to Stable (members) or Empty (none); a tombstone kills it.
   * Members still in the group keep the protocols they joined with and their parked requests.
   */
  replay(record: GroupMetadataRecord, now: number): void {
    if (record.key.group !== this.groupId) {
      throw new Error(`record of group ${record.key.group} replayed on group ${this.groupId}`);
    }
    this.persisted = true;
    const value = record.value;
    if (value === null) {
      for (const memberId of [...this.memberMap.keys(), ...this.pendingJoinMembers]) this.removeMember(memberId);
      this.timers.clear();
      this.transitionTo('Dead', now);
      return;
    }
    this.generation = value.generation;
    this.protocolTypeValue = value.protocolType === '' ? null : value.protocolType;
    this.protocolNameValue = value.protocol;
    const kept = new Set(value.members.map((m) => m.memberId));
    for (const memberId of [...this.memberMap.keys()]) if (!kept.has(memberId)) this.removeMember(memberId);
    for (const m of value.members) {
      const existing = this.memberMap.get(m.memberId);
      if (existing !== undefined) {
        existing.assignment = m.assignment;
        existing.rebalanceTimeoutMs = m.rebalanceTimeout === -1 ? m.sessionTimeout : m.rebalanceTimeout;
        existing.sessionTimeoutMs = m.sessionTimeout;
        continue;
      }
      this.addMember({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeout === -1 ? m.sessionTimeout : m.rebalanceTimeout,
        sessionTimeoutMs: m.sessionTimeout,
        protocolType: value.protocolType,
        protocols: [{ name: value.protocol ?? '', metadata: m.subscription }],
        assignment: m.assignment,
        awaitingJoin: undefined,
        awaitingSync: undefined,
        isNew: false,
      });
    }
    this.leaderId = value.leader;
    const next: ClassicGroupState = value.members.length === 0 ? 'Empty' : 'Stable';
    if (this.state !== next) {
      this.previousState = this.state;
      this.state = next;
    }
    this.stateTimestamp = value.currentStateTimestamp === -1 ? now : value.currentStateTimestamp;
  }

  /**
   * Once the partition is loaded: every member's session starts now, and a group above
   * group.max.size (the setting went down) rebalances so that the excess members are dropped.
   */
  onLoaded(now: number): GroupEffects {
    this.fx = emptyEffects();
    for (const member of this.memberMap.values()) this.rescheduleHeartbeat(member, now);
    if (this.memberMap.size > this.config.maxSize) this.prepareRebalance(now);
    return this.fx;
  }

  // ---- JoinGroup -----------------------------------------------------------------------------

  joinGroup(request: JoinGroupRequest, ctx: RequestContext): GroupEffects {
    this.fx = emptyEffects();
    const now = ctx.now;
    const memberId = request.memberId;
    const fail = (errorCode: number, id = memberId): void => {
      this.reply({ to: ctx.to, api: 'join', response: joinError(errorCode, id) });
    };
    if (
      request.sessionTimeoutMs < this.config.minSessionTimeoutMs ||
      request.sessionTimeoutMs > this.config.maxSessionTimeoutMs
    ) {
      fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    } else {
      if (!this.persisted) {
        // A new group: its first record makes it exist in __consumer_offsets.
        this.appendRecord(
          {
            protocolType: request.protocolType,
            generation: 0,
            protocol: null,
            leader: null,
            currentStateTimestamp: now,
            members: [],
          },
          now,
        );
      }
      if (!this.acceptJoiningMember(memberId)) {
        this.removeMember(memberId);
        fail(ErrorCode.GROUP_MAX_SIZE_REACHED, UNKNOWN_MEMBER_ID);
      } else if (memberId === UNKNOWN_MEMBER_ID) {
        this.joinNewMember(request, ctx);
      } else {
        this.joinExistingMember(request, ctx);
      }
    }
    return this.fx;
  }

  private joinNewMember(request: JoinGroupRequest, ctx: RequestContext): void {
    if (this.state === 'Dead') {
      this.reply({ to: ctx.to, api: 'join', response: joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, UNKNOWN_MEMBER_ID) });
    } else if (!this.supportsProtocols(request.protocolType, request.protocols)) {
      this.reply({ to: ctx.to, api: 'join', response: joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, UNKNOWN_MEMBER_ID) });
    } else if (request.groupInstanceId !== null) {
      const newMemberId = `${request.groupInstanceId}-${randomUuid(this.random)}`;
      const existing = this.staticMembers.get(request.groupInstanceId);
      if (existing !== undefined) {
        this.replaceStaticMemberThenRebalanceOrCompleteJoin(request, ctx, request.groupInstanceId, existing, newMemberId);
      } else {
        this.addMemberThenRebalanceOrCompleteJoin(request, ctx, newMemberId);
      }
    } else {
      const newMemberId = `${ctx.clientId}-${randomUuid(this.random)}`;
      if (ctx.apiVersion >= 4) {
        this.pendingJoinMembers.add(newMemberId);
        this.setTimer(`heartbeat:${newMemberId}`, { kind: 'heartbeat', at: ctx.now + request.sessionTimeoutMs, memberId: newMemberId });
        this.reply({ to: ctx.to, api: 'join', response: joinError(ErrorCode.MEMBER_ID_REQUIRED, newMemberId) });
      } else {
        this.addMemberThenRebalanceOrCompleteJoin(request, ctx, newMemberId);
      }
    }
  }

  private joinExistingMember(request: JoinGroupRequest, ctx: RequestContext): void {
    const memberId = request.memberId;
    if (this.state === 'Dead') {
      this.reply({ to: ctx.to, api: 'join', response: joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, memberId) });
      return;
    }
    if (!this.supportsProtocols(request.protocolType, request.protocols)) {
      this.reply({ to: ctx.to, api: 'join', response: joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId) });
      return;
    }
    // Only dynamic members are handed a member id to come back with.
    if (this.pendingJoinMembers.has(memberId) && request.groupInstanceId === null) {
      this.addMemberThenRebalanceOrCompleteJoin(request, ctx, memberId);
      return;
    }
    const error = this.validateMember(memberId, request.groupInstanceId);
    if (error !== ErrorCode.NONE) {
      this.reply({ to: ctx.to, api: 'join', response: joinError(error, memberId) });
      return;
    }
    const member = this.requireMember(memberId);
    const now = ctx.now;
    switch (this.state) {
      case 'PreparingRebalance':
        this.updateMember(member, request, ctx.to);
        this.maybePrepareRebalanceOrCompleteJoin(now);
        return;
      case 'CompletingRebalance':
        if (sameProtocols(member.protocols, request.protocols)) {
          this.reply({ to: ctx.to, api: 'join', response: this.joinResponse(memberId, this.leaderId === memberId) });
        } else {
          this.updateMember(member, request, ctx.to);
          this.maybePrepareRebalanceOrCompleteJoin(now);
        }
        return;
      case 'Stable':
        if (this.leaderId === memberId || !sameProtocols(member.protocols, request.protocols)) {
          this.updateMember(member, request, ctx.to);
          this.maybePrepareRebalanceOrCompleteJoin(now);
        } else {
          this.reply({ to: ctx.to, api: 'join', response: this.joinResponse(memberId, false) });
        }
        return;
      default:
        this.reply({ to: ctx.to, api: 'join', response: joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId) });
    }
  }

  private addMemberThenRebalanceOrCompleteJoin(request: JoinGroupRequest, ctx: RequestContext, memberId: string): void {
    if (this.state === 'PreparingRebalance' && this.previousState === 'Empty') this.newMemberAdded = true;
    const member: ClassicGroupMember = {
      memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: ctx.clientId,
      clientHost: ctx.clientHost,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs === -1 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
      sessionTimeoutMs: request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      assignment: EMPTY_ASSIGNMENT,
      awaitingJoin: ctx.to,
      awaitingSync: undefined,
      isNew: true,
    };
    this.addMember(member);
    this.rescheduleHeartbeat(member, ctx.now, this.config.newMemberJoinTimeoutMs);
    this.maybePrepareRebalanceOrCompleteJoin(ctx.now);
  }

  private replaceStaticMemberThenRebalanceOrCompleteJoin(
    request: JoinGroupRequest,
    ctx: RequestContext,
    groupInstanceId: string,
    oldMemberId: string,
    newMemberId: string,
  ): void {
    const now = ctx.now;
    const currentLeader = this.leaderId;
    const member = this.requireMember(oldMemberId);
    // Fence whoever still waits under the old member id.
    if (member.awaitingJoin !== undefined) {
      this.completeJoin(member, {
        ...joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId),
        protocolType: null,
        protocolName: null,
      });
    }
    if (member.awaitingSync !== undefined) {
      this.reply({ to: member.awaitingSync, api: 'sync', response: syncError(ErrorCode.FENCED_INSTANCE_ID) });
      member.awaitingSync = undefined;
    }
    this.timers.delete(`heartbeat:${oldMemberId}`);
    this.memberMap.delete(oldMemberId);
    member.memberId = newMemberId;
    this.memberMap.set(newMemberId, member);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    this.staticMembers.set(groupInstanceId, newMemberId);
    this.rescheduleHeartbeat(member, now);
    this.updateMember(member, request, ctx.to);

    if (this.state === 'Stable') {
      if (this.protocolNameValue === this.selectProtocol()) {
        // Nothing the leader assigned changes: persist the new member id and answer from the
        // current generation once the record is committed.
        member.awaitingJoin = undefined;
        this.numAwaitingJoin--;
        const isLeader = this.leaderId === newMemberId;
        const response =
          ctx.apiVersion >= 9
            ? { ...this.joinResponse(newMemberId, isLeader), skipAssignment: isLeader }
            : { ...this.joinResponse(newMemberId, false), leader: currentLeader ?? UNKNOWN_MEMBER_ID };
        this.appendRecord(this.metadataValue(this.currentAssignment(), now), now);
        this.fx.repliesAfterCommit.push({ to: ctx.to, api: 'join', response });
      } else {
        this.maybePrepareRebalanceOrCompleteJoin(now);
      }
    } else if (this.state === 'CompletingRebalance') {
      // The leader may already be assigning to the old member id: start over.
      this.prepareRebalance(now);
    } else {
      this.maybePrepareRebalanceOrCompleteJoin(now);
    }
  }

  private acceptJoiningMember(memberId: string): boolean {
    switch (this.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (
          this.memberMap.get(memberId)?.awaitingJoin !== undefined || this.numAwaitingJoin < this.config.maxSize
        );
      case 'CompletingRebalance':
      case 'Stable':
        return this.memberMap.has(memberId) || this.memberMap.size < this.config.maxSize;
    }
  }

  // ---- SyncGroup -----------------------------------------------------------------------------

  syncGroup(request: SyncGroupRequest, ctx: RequestContext): GroupEffects {
    this.fx = emptyEffects();
    const error = this.validateSync(request);
    const memberId = request.memberId;
    if (error !== ErrorCode.NONE) {
      this.reply({ to: ctx.to, api: 'sync', response: syncError(error) });
    } else if (this.state === 'PreparingRebalance') {
      this.reply({ to: ctx.to, api: 'sync', response: syncError(ErrorCode.REBALANCE_IN_PROGRESS) });
    } else if (this.state === 'CompletingRebalance') {
      this.requireMember(memberId).awaitingSync = ctx.to;
      this.removePendingSyncMember(memberId);
      if (this.leaderId === memberId) {
        const assignment = new Map<string, Buffer>();
        for (const a of request.assignments) assignment.set(a.memberId, a.assignment);
        for (const member of this.memberMap.values()) {
          if (!assignment.has(member.memberId)) assignment.set(member.memberId, EMPTY_ASSIGNMENT);
        }
        // The record carries the assignment; replaying it makes the group Stable. The
        // followers' answers wait for the commit, as Kafka's wait for the append.
        this.appendRecord(this.metadataValue(assignment, ctx.now), ctx.now);
        this.propagateAssignment(ErrorCode.NONE, ctx.now, this.fx.repliesAfterCommit);
      }
    } else if (this.state === 'Stable') {
      this.removePendingSyncMember(memberId);
      const member = this.requireMember(memberId);
      this.reply({
        to: ctx.to,
        api: 'sync',
        response: {
          throttleTimeMs: 0,
          errorCode: ErrorCode.NONE,
          protocolType: this.protocolTypeValue,
          protocolName: this.protocolNameValue,
          assignment: member.assignment,
        },
      });
    }
    return this.fx;
  }

  private validateSync(request: SyncGroupRequest): number {
    if (this.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateMember(request.memberId, request.groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (request.generationId !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (
      inconsistent(request.protocolType, this.protocolTypeValue) ||
      inconsistent(request.protocolName, this.protocolNameValue)
    ) {
      return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    }
    return ErrorCode.NONE;
  }

  // ---- Heartbeat -----------------------------------------------------------------------------

  heartbeat(request: HeartbeatRequest, ctx: RequestContext): GroupEffects {
    this.fx = emptyEffects();
    this.reply({ to: ctx.to, api: 'heartbeat', response: { throttleTimeMs: 0, errorCode: this.heartbeatError(request, ctx.now) } });
    return this.fx;
  }

  /** Validates a heartbeat in Kafka's order; a valid one restarts the member's session. */
  private heartbeatError(request: HeartbeatRequest, now: number): number {
    if (this.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateMember(request.memberId, request.groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (request.generationId !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    this.rescheduleHeartbeat(this.requireMember(request.memberId), now);
    return this.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  // ---- LeaveGroup ----------------------------------------------------------------------------

  /** LeaveGroup: v0-2 name one member in `memberId`, v3+ a batch in `members`. */
  leaveGroup(request: LeaveGroupRequest, ctx: RequestContext): GroupEffects {
    this.fx = emptyEffects();
    const answer = (response: LeaveGroupResponse): void => {
      this.reply({ to: ctx.to, api: 'leave', response });
    };
    if (this.state === 'Dead') {
      answer({ throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] });
      return this.fx;
    }
    const identities: LeaveGroupRequestMemberIdentity[] =
      ctx.apiVersion >= 3 ? request.members : [{ memberId: request.memberId, groupInstanceId: null, reason: null }];
    const results = identities.map((identity) => this.leaveOne(identity));
    if (results.some((r) => r.errorCode === ErrorCode.NONE)) {
      if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.maybePrepareRebalanceOrCompleteJoin(ctx.now);
      else if (this.state === 'PreparingRebalance') this.maybeCompleteJoinPhase(ctx.now);
    }
    if (ctx.apiVersion >= 3) answer({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, members: results });
    else answer({ throttleTimeMs: 0, errorCode: results[0].errorCode, members: [] });
    return this.fx;
  }

  private leaveOne(identity: LeaveGroupRequestMemberIdentity): LeaveGroupResponseMemberResponse {
    const result = (errorCode: number): LeaveGroupResponseMemberResponse => ({
      memberId: identity.memberId,
      groupInstanceId: identity.groupInstanceId,
      errorCode,
    });
    if (identity.memberId === UNKNOWN_MEMBER_ID) {
      const staticId = identity.groupInstanceId === null ? undefined : this.staticMembers.get(identity.groupInstanceId);
      if (staticId === undefined) return result(ErrorCode.UNKNOWN_MEMBER_ID);
      this.removeCurrentMember(staticId);
      return result(ErrorCode.NONE);
    }
    if (this.pendingJoinMembers.has(identity.memberId)) {
      this.removeMember(identity.memberId);
      this.timers.delete(`heartbeat:${identity.memberId}`);
      return result(ErrorCode.NONE);
    }
    const error = this.validateMember(identity.memberId, identity.groupInstanceId);
    if (error !== ErrorCode.NONE) return result(error);
    this.removeCurrentMember(identity.memberId);
    return result(ErrorCode.NONE);
  }

  private removeCurrentMember(memberId: string): void {
    const member = this.requireMember(memberId);
    this.timers.delete(`heartbeat:${memberId}`);
    this.completeJoin(member, joinError(ErrorCode.UNKNOWN_MEMBER_ID, UNKNOWN_MEMBER_ID));
    this.removeMember(memberId);
  }

  // ---- deletion ------------------------------------------------------------------------------

  /** DeleteGroups for this group: only an Empty group goes; its tombstone makes it Dead. */
  deleteGroup(now: number): { errorCode: number; effects: GroupEffects } {
    this.fx = emptyEffects();
    if (this.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, effects: this.fx };
    if (this.state !== 'Empty') return { errorCode: ErrorCode.NON_EMPTY_GROUP, effects: this.fx };
    this.timers.clear();
    this.appendRecord(null, now);
    return { errorCode: ErrorCode.NONE, effects: this.fx };
  }

  // ---- deadlines -----------------------------------------------------------------------------

  /** Fires every deadline at or before `now`, earliest first. */
  tick(now: number): GroupEffects {
    this.fx = emptyEffects();
    for (;;) {
      let dueKey: string | undefined;
      let due: Timer | undefined;
      for (const [key, timer] of this.timers) {
        if (timer.at <= now && (due === undefined || timer.at < due.at)) {
          dueKey = key;
          due = timer;
        }
      }
      if (dueKey === undefined || due === undefined) return this.fx;
      this.timers.delete(dueKey);
      this.fire(due, now);
    }
  }

  private fire(timer: Timer, now: number): void {
    switch (timer.kind) {
      case 'heartbeat':
        this.expireHeartbeat(timer.memberId, now);
        return;
      case 'join':
        this.completeJoinPhase(now);
        return;
      case 'initial-delay':
        if (this.newMemberAdded && timer.remainingMs !== 0) {
          this.newMemberAdded = false;
          const delayMs = Math.min(this.config.initialRebalanceDelayMs, timer.remainingMs);
          const remainingMs = Math.max(timer.remainingMs - timer.delayMs, 0);
          this.setTimer('join', { kind: 'initial-delay', at: now + delayMs, delayMs, remainingMs });
        } else {
          this.completeJoinPhase(now);
        }
        return;
      case 'pending-sync':
        this.expirePendingSync(timer.generationId, now);
    }
  }

  private expireHeartbeat(memberId: string, now: number): void {
    if (this.pendingJoinMembers.has(memberId)) {
      this.removeMember(memberId);
      if (this.state === 'PreparingRebalance' && this.hasAllMembersJoined()) this.completeJoinPhase(now);
      return;
    }
    const member = this.memberMap.get(memberId);
    if (member === undefined || this.hasSatisfiedHeartbeat(member)) return;
    this.completeJoin(member, joinError(ErrorCode.UNKNOWN_MEMBER_ID, UNKNOWN_MEMBER_ID));
    this.removeMember(memberId);
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.maybePrepareRebalanceOrCompleteJoin(now);
    else if (this.state === 'PreparingRebalance' && this.hasAllMembersJoined()) this.completeJoinPhase(now);
  }

  private hasSatisfiedHeartbeat(member: ClassicGroupMember): boolean {
    if (member.isNew) return false;
    return member.awaitingJoin !== undefined || member.awaitingSync !== undefined;
  }

  private expirePendingSync(generationId: number, now: number): void {
    if (generationId !== this.generation) return;
    if (this.state !== 'CompletingRebalance' && this.state !== 'Stable') return;
    if (this.pendingSyncMembers.size === 0) return;
    for (const memberId of [...this.pendingSyncMembers]) {
      this.removeMember(memberId);
      this.timers.delete(`heartbeat:${memberId}`);
    }
    this.prepareRebalance(now);
  }

  // ---- the rebalance -------------------------------------------------------------------------

  private maybePrepareRebalanceOrCompleteJoin(now: number): void {
    if (VALID_PREVIOUS_STATES.PreparingRebalance.includes(this.state)) this.prepareRebalance(now);
    else this.maybeCompleteJoinPhase(now);
  }

  private maybeCompleteJoinPhase(now: number): void {
    if (this.state === 'PreparingRebalance' && this.hasAllMembersJoined() && this.previousState !== 'Empty') {
      this.completeJoinPhase(now);
    }
  }

  private prepareRebalance(now: number): void {
    if (this.state === 'CompletingRebalance') {
      for (const member of this.memberMap.values()) member.assignment = EMPTY_ASSIGNMENT;
      this.propagateAssignment(ErrorCode.REBALANCE_IN_PROGRESS, now, this.fx.replies);
    }
    this.timers.delete('pending-sync');
    const isInitialRebalance = this.state === 'Empty';
    if (isInitialRebalance) {
      const delayMs = this.config.initialRebalanceDelayMs;
      const remainingMs = Math.max(this.rebalanceTimeoutMs() - delayMs, 0);
      this.setTimer('join', { kind: 'initial-delay', at: now + delayMs, delayMs, remainingMs });
    }
    this.transitionTo('PreparingRebalance', now);
    if (!isInitialRebalance) {
      if (this.hasAllMembersJoined()) this.completeJoinPhase(now);
      else this.setTimer('join', { kind: 'join', at: now + this.rebalanceTimeoutMs() });
    }
  }

  /** Kafka's completeClassicGroupJoin: the join phase ends, a generation begins. */
  private completeJoinPhase(now: number): void {
    this.timers.delete('join');
    for (const member of [...this.memberMap.values()]) {
      if (member.awaitingJoin === undefined && member.groupInstanceId === null) {
        this.removeMember(member.memberId);
        this.timers.delete(`heartbeat:${member.memberId}`);
      }
    }
    if (!this.maybeElectNewJoinedLeader() && this.memberMap.size > 0) {
      // Only static members that have not rejoined are left: wait for them a while longer.
      this.setTimer('join', { kind: 'join', at: now + this.rebalanceTimeoutMs() });
      return;
    }
    this.generation++;
    this.pendingSyncMembers.clear();
    if (this.memberMap.size === 0) {
      this.protocolNameValue = null;
      this.transitionTo('Empty', now);
      this.appendRecord(this.metadataValue(new Map(), now), now);
      return;
    }
    this.protocolNameValue = this.selectProtocol();
    this.transitionTo('CompletingRebalance', now);
    for (const member of this.memberMap.values()) {
      this.completeJoin(member, this.joinResponse(member.memberId, this.leaderId === member.memberId));
      this.rescheduleHeartbeat(member, now);
      member.isNew = false;
      this.pendingSyncMembers.add(member.memberId);
    }
    this.setTimer('pending-sync', { kind: 'pending-sync', at: now + this.rebalanceTimeoutMs(), generationId: this.generation });
  }

  private maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    if (this.memberMap.get(this.leaderId)?.awaitingJoin !== undefined) return true;
    for (const member of this.memberMap.values()) {
      if (member.awaitingJoin !== undefined) {
        this.leaderId = member.memberId;
        return true;
      }
    }
    return false;
  }

  private propagateAssignment(errorCode: number, now: number, into: GroupReply[]): void {
    const ok = errorCode === ErrorCode.NONE;
    for (const member of this.memberMap.values()) {
      if (member.awaitingSync === undefined) continue;
      into.push({
        to: member.awaitingSync,
        api: 'sync',
        response: {
          throttleTimeMs: 0,
          errorCode,
          protocolType: ok ? this.protocolTypeValue : null,
          protocolName: ok ? this.protocolNameValue : null,
          assignment: member.assignment,
        },
      });
      member.awaitingSync = undefined;
      this.rescheduleHeartbeat(member, now);
    }
  }

  private removePendingSyncMember(memberId: string): void {
    this.pendingSyncMembers.delete(memberId);
    if (this.pendingSyncMembers.size === 0) this.timers.delete('pending-sync');
  }

  // ---- protocols -----------------------------------------------------------------------------

  private supportsProtocols(protocolType: string, protocols: readonly JoinGroupRequestProtocol[]): boolean {
    if (this.state === 'Empty') return protocolType !== '' && protocols.length > 0;
    if (this.protocolTypeValue !== protocolType) return false;
    const candidates = candidateProtocols(this.memberMap.values());
    return protocols.some((p) => candidates.has(p.name));
  }

  /** The protocol the group's members agree on, by Kafka's vote (protocol-selection.ts). */
  selectProtocol(): string {
    const selected = selectProtocol(this.memberMap.values());
    if (selected === undefined) throw new Error(`group ${this.groupId} has no protocol every member supports`);
    return selected;
  }

  // ---- members -------------------------------------------------------------------------------

  private validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
      return ErrorCode.NONE;
    }
    return this.memberMap.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  private requireMember(memberId: string): ClassicGroupMember {
    const member = this.memberMap.get(memberId);
    if (member === undefined) throw new Error(`member ${memberId} is not in group ${this.groupId}`);
    return member;
  }

  private addMember(member: ClassicGroupMember): void {
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.memberMap.size === 0) this.protocolTypeValue = member.protocolType;
    this.memberMap.set(member.memberId, member);
    if (member.awaitingJoin !== undefined) this.numAwaitingJoin++;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.pendingJoinMembers.delete(member.memberId);
  }

  private removeMember(memberId: string): void {
    const member = this.memberMap.get(memberId);
    if (member !== undefined) {
      this.memberMap.delete(memberId);
      if (member.awaitingJoin !== undefined) this.numAwaitingJoin--;
      if (member.groupInstanceId !== null) this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) {
      const next = this.memberMap.keys().next();
      this.leaderId = next.done === true ? null : next.value;
    }
    this.pendingJoinMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  private updateMember(member: ClassicGroupMember, request: JoinGroupRequest, to: ReplyTo): void {
    member.protocols = request.protocols;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs === -1 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    if (member.awaitingJoin === undefined) this.numAwaitingJoin++;
    member.awaitingJoin = to;
  }

  private completeJoin(member: ClassicGroupMember, response: JoinGroupResponse): void {
    if (member.awaitingJoin === undefined) return;
    this.reply({ to: member.awaitingJoin, api: 'join', response });
    member.awaitingJoin = undefined;
    this.numAwaitingJoin--;
  }

  private hasAllMembersJoined(): boolean {
    return this.memberMap.size === this.numAwaitingJoin && this.pendingJoinMembers.size === 0;
  }

  private rebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.memberMap.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  private rescheduleHeartbeat(member: ClassicGroupMember, now: number, timeoutMs = member.sessionTimeoutMs): void {
    this.setTimer(`heartbeat:${member.memberId}`, { kind: 'heartbeat', at: now + timeoutMs, memberId: member.memberId });
  }

  private setTimer(key: string, timer: Timer): void {
    this.timers.delete(key);
    this.timers.set(key, timer);
  }

  private transitionTo(next: ClassicGroupState, now: number): void {
    if (!VALID_PREVIOUS_STATES[next].includes(this.state)) {
      throw new Error(`group ${this.groupId} cannot go from ${this.state} to ${next}`);
    }
    this.previousState = this.state;
    this.state = next;
    this.stateTimestamp = now;
  }

  // ---- responses and records -----------------------------------------------------------------

  private joinResponse(memberId: string, withMembers: boolean): JoinGroupResponse {
    const members: JoinGroupResponseMember[] = [];
    if (withMembers) {
      for (const member of this.memberMap.values()) {
        members.push({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, metadata: this.metadataOf(member) });
      }
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      generationId: this.generation,
      protocolType: this.protocolTypeValue,
      protocolName: this.protocolNameValue,
      leader: this.leaderId ?? UNKNOWN_MEMBER_ID,
      skipAssignment: false,
      memberId,
      members,
    };
  }

  private metadataOf(member: ClassicGroupMember): Buffer {
    const protocol = member.protocols.find((p) => p.name === this.protocolNameValue);
    if (protocol === undefined) throw new Error(`member ${member.memberId} does not support ${this.protocolNameValue}`);
    return protocol.metadata;
  }

  private currentAssignment(): Map<string, Buffer> {
    const assignment = new Map<string, Buffer>();
    for (const member of this.memberMap.values()) assignment.set(member.memberId, member.assignment);
    return assignment;
  }

  private metadataValue(assignment: ReadonlyMap<string, Buffer>, now: number): GroupMetadataValue {
    const members = [...this.memberMap.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      rebalanceTimeout: member.rebalanceTimeoutMs,
      sessionTimeout: member.sessionTimeoutMs,
      subscription: this.metadataOf(member),
      assignment: assignment.get(member.memberId) ?? EMPTY_ASSIGNMENT,
    }));
    return {
      protocolType: this.protocolTypeValue ?? '',
      generation: this.generation,
      protocol: this.protocolNameValue,
      leader: this.leaderId,
      currentStateTimestamp: this.stateTimestamp === -1 ? now : this.stateTimestamp,
      members,
    };
  }

  private appendRecord(value: GroupMetadataValue | null, now: number): void {
    const record = groupMetadataRecord(this.groupId, value);
    this.fx.records.push(record);
    this.replay(record, now);
  }

  private reply(reply: GroupReply): void {
    this.fx.replies.push(reply);
  }
}




function sameProtocols(a: readonly JoinGroupRequestProtocol[], b: readonly JoinGroupRequestProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}

function inconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}
