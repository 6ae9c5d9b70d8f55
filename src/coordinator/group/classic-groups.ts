import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { JoinGroupRequest } from '../../protocol/generated/clients/join-group-request.js';
import type { SyncGroupRequest } from '../../protocol/generated/clients/sync-group-request.js';
import type { HeartbeatRequest } from '../../protocol/generated/clients/heartbeat-request.js';
import type { LeaveGroupRequest } from '../../protocol/generated/clients/leave-group-request.js';
import type { Random } from '../../util/random.js';
import { TimerQueue } from '../../util/timer-queue.js';
import { ClassicGroup } from './classic-group.js';
import { emptyEffects, joinError, syncError, UNKNOWN_MEMBER_ID, type ClassicGroupConfig, type GroupEffects, type RequestContext } from './classic-group-model.js';
import type { GroupMetadataRecord } from './coordinator-records.js';

/**
 * The classic groups of one `__consumer_offsets` partition: routes each request to its group,
 * creates a group on the first JoinGroup without a member id, answers for groups that do not
 * exist as Kafka does, and forgets a group once its tombstone is written or replayed.
 */
export class ClassicGroups {
  private readonly groups = new Map<string, ClassicGroup>();
  /** Each group's earliest deadline, so that finding the next one does not visit every group. */
  private readonly deadlines = new TimerQueue<ClassicGroup>();

  constructor(
    private readonly config: ClassicGroupConfig,
    private readonly random: Random,
  ) {}

  get(groupId: string): ClassicGroup | undefined {
    return this.groups.get(groupId);
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  all(): IterableIterator<ClassicGroup> {
    return this.groups.values();
  }

  /**
   * The group an offset commit from outside any group lands in (Kafka's "simple" group): an Empty
   * group with no protocol, held in memory only. A JoinGroup later writes its first record.
   */
  getOrCreateSimple(groupId: string): ClassicGroup {
    let group = this.groups.get(groupId);
    if (group === undefined) this.groups.set(groupId, (group = new ClassicGroup(groupId, this.config, this.random)));
    return group;
  }

  /** Forgets a group that has no record of its own (a simple group whose offsets are all gone). */
  forgetUnpersisted(groupId: string): void {
    if (this.groups.get(groupId)?.isNew === true) this.forget(groupId);
  }

  joinGroup(request: JoinGroupRequest, ctx: RequestContext): GroupEffects {
    const reject = (errorCode: number): GroupEffects =>
      single({
        to: ctx.to,
        api: 'join',
        response: joinError(errorCode, request.memberId),
      });
    if (request.groupId === '') return reject(ErrorCode.INVALID_GROUP_ID);
    const existing = this.groups.get(request.groupId);
    if (existing !== undefined) return this.touching(existing, existing.joinGroup(request, ctx));
    if (request.memberId !== UNKNOWN_MEMBER_ID) return reject(ErrorCode.UNKNOWN_MEMBER_ID);
    const group = new ClassicGroup(request.groupId, this.config, this.random);
    const fx = group.joinGroup(request, ctx);
    // A join rejected before the group was created (a bad session timeout) leaves nothing behind.
    if (!group.isNew) this.groups.set(request.groupId, group);
    return this.touching(group, fx);
  }

  syncGroup(request: SyncGroupRequest, ctx: RequestContext): GroupEffects {
    const reject = (errorCode: number): GroupEffects =>
      single({
        to: ctx.to,
        api: 'sync',
        response: syncError(errorCode),
      });
    if (request.groupId === '') return reject(ErrorCode.INVALID_GROUP_ID);
    const group = this.groups.get(request.groupId);
    return group === undefined ? reject(ErrorCode.UNKNOWN_MEMBER_ID) : this.touching(group, group.syncGroup(request, ctx));
  }

  heartbeat(request: HeartbeatRequest, ctx: RequestContext): GroupEffects {
    const reject = (errorCode: number): GroupEffects =>
      single({ to: ctx.to, api: 'heartbeat', response: { throttleTimeMs: 0, errorCode } });
    if (request.groupId === '') return reject(ErrorCode.INVALID_GROUP_ID);
    const group = this.groups.get(request.groupId);
    return group === undefined ? reject(ErrorCode.UNKNOWN_MEMBER_ID) : this.touching(group, group.heartbeat(request, ctx));
  }

  leaveGroup(request: LeaveGroupRequest, ctx: RequestContext): GroupEffects {
    const reject = (errorCode: number): GroupEffects =>
      single({ to: ctx.to, api: 'leave', response: { throttleTimeMs: 0, errorCode, members: [] } });
    if (request.groupId === '') return reject(ErrorCode.INVALID_GROUP_ID);
    const group = this.groups.get(request.groupId);
    return group === undefined ? reject(ErrorCode.UNKNOWN_MEMBER_ID) : this.touching(group, group.leaveGroup(request, ctx));
  }

  /** DeleteGroups for one group: Kafka's per-group error code and the tombstone to append. */
  deleteGroup(groupId: string, now: number): { errorCode: number; effects: GroupEffects } {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, effects: emptyEffects() };
    const group = this.groups.get(groupId);
    if (group === undefined) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, effects: emptyEffects() };
    const result = group.deleteGroup(now);
    if (result.errorCode === ErrorCode.NONE) this.forget(groupId);
    return result;
  }

  /** Applies a record read from the partition: the latest value of a group wins, a tombstone removes it. */
  replay(record: GroupMetadataRecord, now: number): void {
    const groupId = record.key.group;
    const group = this.groups.get(groupId);
    if (record.value === null) {
      group?.replay(record, now);
      this.forget(groupId);
    } else if (group !== undefined) {
      group.replay(record, now);
      this.touch(group);
    } else {
      this.groups.set(groupId, ClassicGroup.fromRecord(record, this.config, this.random, now));
    }
  }

  /** After the partition is replayed: start every member's session (see ClassicGroup.onLoaded). */
  onLoaded(now: number): GroupEffects {
    const all = emptyEffects();
    for (const group of this.groups.values()) merge(all, this.touching(group, group.onLoaded(now)));
    return all;
  }

  nextDeadline(): number | undefined {
    return this.deadlines.nextDeadline();
  }

  /** Fires the due deadlines of every group. */
  tick(now: number): GroupEffects {
    const all = emptyEffects();
    for (let group = this.deadlines.takeDue(now); group !== undefined; group = this.deadlines.takeDue(now)) {
      merge(all, this.touching(group, group.tick(now)));
    }
    return all;
  }

  /** Takes note of a group's deadlines after an operation on it from outside (an offset commit counts as a heartbeat). */
  touch(group: ClassicGroup): void {
    const deadline = group.nextDeadline();
    if (deadline === undefined || !this.groups.has(group.groupId)) this.deadlines.delete(group.groupId);
    else if (this.deadlines.deadlineOf(group.groupId) !== deadline) this.deadlines.set(group.groupId, deadline, group);
  }

  private touching(group: ClassicGroup, effects: GroupEffects): GroupEffects {
    this.touch(group);
    return effects;
  }

  private forget(groupId: string): void {
    this.groups.delete(groupId);
    this.deadlines.delete(groupId);
  }
}

function single(reply: GroupEffects['replies'][number]): GroupEffects {
  return { replies: [reply], records: [], repliesAfterCommit: [] };
}

function merge(into: GroupEffects, from: GroupEffects): void {
  into.replies.push(...from.replies);
  into.records.push(...from.records);
  into.repliesAfterCommit.push(...from.repliesAfterCommit);
}
