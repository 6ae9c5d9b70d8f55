import { HeartbeatApi, JoinGroupApi, LeaveGroupApi, OffsetCommitApi, OffsetFetchApi, SyncGroupApi } from '../protocol/generated/apis.js';
import { createHeartbeatRequest } from '../protocol/generated/clients/heartbeat-request.js';
import { createJoinGroupRequest, createJoinGroupRequestProtocol } from '../protocol/generated/clients/join-group-request.js';
import { createLeaveGroupRequest, createLeaveGroupRequestMemberIdentity } from '../protocol/generated/clients/leave-group-request.js';
import { createOffsetCommitRequest, createOffsetCommitRequestPartition, createOffsetCommitRequestTopic } from '../protocol/generated/clients/offset-commit-request.js';
import {
  createOffsetFetchRequest,
  createOffsetFetchRequestGroup,
  createOffsetFetchRequestTopic,
  createOffsetFetchRequestTopics,
} from '../protocol/generated/clients/offset-fetch-request.js';
import { createSyncGroupRequest, createSyncGroupRequestAssignment } from '../protocol/generated/clients/sync-group-request.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import type { ApiDefinition } from '../protocol/message-codec.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  type TopicPartitions,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  rangeAssign,
} from './consumer-protocol.js';
import { KafkaProtocolError, throwIfError } from './errors.js';
import type { RequestFor, SendOptions } from './kafka-client.js';
import type { Scheduler } from './scheduler.js';

/** Sends a request to the group's coordinator (KafkaClient.sendToGroupCoordinator bound to the group). */
export type CoordinatorSend = <Req, Res>(api: ApiDefinition<Req, Res>, request: RequestFor<Req>, options?: SendOptions<Res>) => Promise<Res>;

export interface GroupMemberOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** session.timeout.ms (default 45000, Kafka's). */
  readonly sessionTimeoutMs?: number;
  /** max.poll.interval.ms, sent as the rebalance timeout (default 300000). */
  readonly rebalanceTimeoutMs?: number;
  /** heartbeat.interval.ms (default 3000). */
  readonly heartbeatIntervalMs?: number;
  /** request.timeout.ms for the requests that do not wait for a rebalance (default 30000). */
  readonly requestTimeoutMs?: number;
}

export interface GroupMemberDeps {
  readonly send: CoordinatorSend;
  /** The partition count of each topic that exists (the leader assigns only those). */
  readonly partitionCounts: (topics: readonly string[]) => Promise<ReadonlyMap<string, number>>;
  readonly scheduler: Scheduler;
}

/** The assignment of one generation. */
export interface GroupAssignment {
  readonly generationId: number;
  readonly memberId: string;
  readonly isLeader: boolean;
  readonly partitions: TopicPartitions;
}

/** A commit or heartbeat the coordinator refused because the member's generation is over. */
export class RebalanceNeededError extends Error {
  override readonly name = 'RebalanceNeededError';
}

/** The errors that mean "join again" rather than "give up". */
const REJOIN_ERRORS: ReadonlySet<number> = new Set([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.MEMBER_ID_REQUIRED]);
/** Coordinator errors the client retries after finding the coordinator again. */
const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

const RANGE = 'range';

function checkCoordinator(errorCode: number, context: string): void {
  if (COORDINATOR_ERRORS.has(errorCode)) throw new KafkaProtocolError(errorCode, context);
}

/**
 * A member of a classic consumer group, as Kafka's consumer coordinator is one: JoinGroup (with
 * v4's MEMBER_ID_REQUIRED round trip), the range assignment when it is the leader, SyncGroup,
 * Heartbeat on a timer, OffsetCommit and OffsetFetch with its generation, LeaveGroup. A rebalance
 * the coordinator announces (in a heartbeat or a commit answer) sets `rejoinNeeded`; the owner then
 * commits what it consumed and calls `join()` again.
 */
export class GroupMember {
  readonly groupId: string;
  private readonly topics: readonly string[];
  private readonly sessionTimeoutMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly requestTimeoutMs: number;
  private memberIdValue = '';
  private generation = -1;
  private owned: TopicPartitions = new Map();
  private needsRejoin = true;
  private cancelHeartbeat: (() => void) | null = null;
  private heartbeating = false;
  private stopped = false;
  /** The last heartbeat failure that was not a rebalance (a broken connection, say). */
  lastHeartbeatError: Error | null = null;

  constructor(
    options: GroupMemberOptions,
    private readonly deps: GroupMemberDeps,
  ) {
    this.groupId = options.groupId;
    this.topics = [...options.topics];
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 45_000;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 300_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  get memberId(): string {
    return this.memberIdValue;
  }

  get generationId(): number {
    return this.generation;
  }

  /** True before the first join and once the coordinator announced a rebalance. */
  get rejoinNeeded(): boolean {
    return this.needsRejoin;
  }

  /** Joins (or rejoins) the group and resolves with this generation's assignment; heartbeats start. */
  async join(): Promise<GroupAssignment> {
    this.stopHeartbeat();
    for (;;) {
      const joined = await this.deps.send(
        JoinGroupApi,
        createJoinGroupRequest({
          groupId: this.groupId,
          sessionTimeoutMs: this.sessionTimeoutMs,
          rebalanceTimeoutMs: this.rebalanceTimeoutMs,
          memberId: this.memberIdValue,
          groupInstanceId: null,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols: [createJoinGroupRequestProtocol({ name: RANGE, metadata: encodeSubscription(this.topics, this.owned, this.generation) })],
          reason: this.generation < 0 ? null : 'rejoining after a rebalance',
        }),
        {
          versions: { min: 1, max: JoinGroupApi.maxVersion },
          // The coordinator answers once every member rejoined, or the rebalance timeout passed.
          timeoutMs: this.rebalanceTimeoutMs + this.requestTimeoutMs,
          check: (r) => checkCoordinator(r.errorCode, `JoinGroup ${this.groupId}`),
        },
      );
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberIdValue = joined.memberId;
        continue;
      }
      if (joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.memberIdValue = '';
        continue;
      }
      throwIfError(joined.errorCode, `JoinGroup ${this.groupId}`);
      this.memberIdValue = joined.memberId;
      this.generation = joined.generationId;
      const isLeader = joined.leader === joined.memberId;
      const assignments = isLeader && !joined.skipAssignment ? await this.assign(joined.members, joined.protocolName) : [];
      const synced = await this.deps.send(
        SyncGroupApi,
        createSyncGroupRequest({
          groupId: this.groupId,
          generationId: this.generation,
          memberId: this.memberIdValue,
          groupInstanceId: null,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: joined.protocolName ?? RANGE,
          assignments,
        }),
        {
          versions: { min: 0, max: SyncGroupApi.maxVersion },
          timeoutMs: this.rebalanceTimeoutMs + this.requestTimeoutMs,
          check: (r) => checkCoordinator(r.errorCode, `SyncGroup ${this.groupId}`),
        },
      );
      if (REJOIN_ERRORS.has(synced.errorCode)) {
        if (synced.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberIdValue = '';
        continue;
      }
      throwIfError(synced.errorCode, `SyncGroup ${this.groupId}`);
      this.owned = decodeAssignment(synced.assignment);
      this.needsRejoin = false;
      this.scheduleHeartbeat();
      return { generationId: this.generation, memberId: this.memberIdValue, isLeader, partitions: this.owned };
    }
  }

  /** The leader's part: decode every member's subscription and assign with the range assignor. */
  private async assign(members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[], protocolName: string | null) {
    if (protocolName !== null && protocolName !== RANGE) throw new Error(`group ${this.groupId} chose the ${protocolName} assignor; this member implements only range`);
    const subscriptions = members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: decodeSubscription(m.metadata).topics }));
    const counts = await this.deps.partitionCounts([...new Set(subscriptions.flatMap((s) => s.topics))]);
    const assigned = rangeAssign(subscriptions, counts);
    const version = Math.min(...members.map((m) => decodeSubscription(m.metadata).version), 3);
    return [...assigned].map(([memberId, partitions]) => createSyncGroupRequestAssignment({ memberId, assignment: encodeAssignment(partitions, version) }));
  }

  /**
   * Commits offsets (the next offset to read, per partition) with this member's generation. A
   * rebalance under way or a generation that is over throws RebalanceNeededError (and sets
   * rejoinNeeded); a group of no member (generation -1) takes commits from anyone.
   */
  async commit(offsets: readonly { topic: string; partition: number; offset: number }[], asMember = true): Promise<void> {
    if (offsets.length === 0) return;
    const topics = new Map<string, { partition: number; offset: number }[]>();
    for (const o of offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), o]);
    const response = await this.deps.send(
      OffsetCommitApi,
      createOffsetCommitRequest({
        groupId: this.groupId,
        generationIdOrMemberEpoch: asMember ? this.generation : -1,
        memberId: asMember ? this.memberIdValue : '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [...topics].map(([name, list]) =>
          createOffsetCommitRequestTopic({
            name,
            partitions: list.map((o) => createOffsetCommitRequestPartition({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, committedMetadata: '' })),
          }),
        ),
      }),
      {
        versions: { min: 2, max: OffsetCommitApi.maxVersion },
        timeoutMs: this.requestTimeoutMs,
        check: (r) => {
          for (const t of r.topics) for (const p of t.partitions) checkCoordinator(p.errorCode, `OffsetCommit ${this.groupId}`);
        },
      },
    );
    for (const t of response.topics) {
      for (const p of t.partitions) {
        if (REJOIN_ERRORS.has(p.errorCode)) {
          this.needsRejoin = true;
          throw new RebalanceNeededError(new KafkaProtocolError(p.errorCode, `OffsetCommit ${this.groupId}`).message);
        }
        throwIfError(p.errorCode, `OffsetCommit ${this.groupId} ${t.name}-${p.partitionIndex}`);
      }
    }
  }

  /** The group's committed offsets of the given partitions; null where none is committed. */
  async committed(partitions: TopicPartitions): Promise<Map<string, Map<number, number | null>>> {
    let sentVersion = 0;
    const response = await this.deps.send(
      OffsetFetchApi,
      (version) => {
        sentVersion = version;
        if (version >= 8) {
          return createOffsetFetchRequest({
            groups: [
              createOffsetFetchRequestGroup({
                groupId: this.groupId,
                memberId: null,
                memberEpoch: -1,
                topics: [...partitions].map(([name, ids]) => createOffsetFetchRequestTopics({ name, partitionIndexes: [...ids] })),
              }),
            ],
          });
        }
        return createOffsetFetchRequest({ groupId: this.groupId, topics: [...partitions].map(([name, ids]) => createOffsetFetchRequestTopic({ name, partitionIndexes: [...ids] })) });
      },
      {
        versions: { min: 1, max: OffsetFetchApi.maxVersion },
        timeoutMs: this.requestTimeoutMs,
        check: (r) => checkCoordinator(sentVersion >= 8 ? (r.groups[0]?.errorCode ?? ErrorCode.NONE) : r.errorCode, `OffsetFetch ${this.groupId}`),
      },
    );
    const topics = sentVersion >= 8 ? (response.groups[0]?.topics ?? []) : response.topics;
    throwIfError(sentVersion >= 8 ? (response.groups[0]?.errorCode ?? ErrorCode.NONE) : response.errorCode, `OffsetFetch ${this.groupId}`);
    const result = new Map<string, Map<number, number | null>>();
    for (const t of topics) {
      const byPartition = new Map<number, number | null>();
      for (const p of t.partitions) {
        throwIfError(p.errorCode, `OffsetFetch ${this.groupId} ${t.name}-${p.partitionIndex}`);
        byPartition.set(p.partitionIndex, p.committedOffset >= 0 ? p.committedOffset : null);
      }
      result.set(t.name, byPartition);
    }
    return result;
  }

  /** Leaves the group (when it joined) and stops heartbeating; later calls do nothing. */
  async leave(reason = 'the consumer is closing'): Promise<void> {
    this.stopped = true;
    this.stopHeartbeat();
    if (this.memberIdValue === '' || this.generation < 0) return;
    const memberId = this.memberIdValue;
    this.memberIdValue = '';
    this.generation = -1;
    const response = await this.deps.send(
      LeaveGroupApi,
      (version) =>
        version >= 3
          ? createLeaveGroupRequest({ groupId: this.groupId, members: [createLeaveGroupRequestMemberIdentity({ memberId, groupInstanceId: null, reason })] })
          : createLeaveGroupRequest({ groupId: this.groupId, memberId }),
      { versions: { min: 0, max: LeaveGroupApi.maxVersion }, timeoutMs: this.requestTimeoutMs, check: (r) => checkCoordinator(r.errorCode, `LeaveGroup ${this.groupId}`) },
    );
    // A member the coordinator already dropped has left anyway.
    if (response.errorCode !== ErrorCode.UNKNOWN_MEMBER_ID) throwIfError(response.errorCode, `LeaveGroup ${this.groupId}`);
  }

  /** Stops heartbeating without leaving (the session then times out on the coordinator). */
  close(): void {
    this.stopped = true;
    this.stopHeartbeat();
  }

  /** Sends one heartbeat now; the timer calls this every heartbeat.interval.ms. */
  async heartbeat(): Promise<void> {
    if (this.heartbeating || this.needsRejoin || this.stopped) return;
    this.heartbeating = true;
    try {
      const response = await this.deps.send(
        HeartbeatApi,
        createHeartbeatRequest({ groupId: this.groupId, generationId: this.generation, memberId: this.memberIdValue, groupInstanceId: null }),
        { versions: { min: 0, max: HeartbeatApi.maxVersion }, timeoutMs: this.requestTimeoutMs, check: (r) => checkCoordinator(r.errorCode, `Heartbeat ${this.groupId}`) },
      );
      if (REJOIN_ERRORS.has(response.errorCode)) {
        if (response.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberIdValue = '';
        this.needsRejoin = true;
        this.stopHeartbeat();
        return;
      }
      throwIfError(response.errorCode, `Heartbeat ${this.groupId}`);
      this.lastHeartbeatError = null;
    } catch (err) {
      this.lastHeartbeatError = err as Error;
    } finally {
      this.heartbeating = false;
    }
  }

  private scheduleHeartbeat(): void {
    this.stopHeartbeat();
    if (this.stopped) return;
    this.cancelHeartbeat = this.deps.scheduler.schedule(this.heartbeatIntervalMs, () => {
      this.cancelHeartbeat = null;
      void this.heartbeat().then(() => {
        if (!this.needsRejoin && !this.stopped && this.cancelHeartbeat === null) this.scheduleHeartbeat();
      });
    });
  }

  private stopHeartbeat(): void {
    this.cancelHeartbeat?.();
    this.cancelHeartbeat = null;
  }
}
