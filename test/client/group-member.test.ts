import { describe, expect, it } from 'vitest';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../src/client/consumer-protocol.js';
import { type CoordinatorSend, GroupMember, RebalanceNeededError } from '../../src/client/group-member.js';
import type { Scheduler } from '../../src/client/scheduler.js';
import { ApiKey } from '../../src/protocol/generated/apis.js';
import { createHeartbeatResponse } from '../../src/protocol/generated/clients/heartbeat-response.js';
import type { JoinGroupRequest } from '../../src/protocol/generated/clients/join-group-request.js';
import { createJoinGroupResponse, createJoinGroupResponseMember } from '../../src/protocol/generated/clients/join-group-response.js';
import type { LeaveGroupRequest } from '../../src/protocol/generated/clients/leave-group-request.js';
import type { OffsetCommitRequest } from '../../src/protocol/generated/clients/offset-commit-request.js';
import { createOffsetCommitResponse, createOffsetCommitResponsePartition, createOffsetCommitResponseTopic } from '../../src/protocol/generated/clients/offset-commit-response.js';
import type { OffsetFetchRequest } from '../../src/protocol/generated/clients/offset-fetch-request.js';
import {
  createOffsetFetchResponse,
  createOffsetFetchResponseGroup,
  createOffsetFetchResponsePartitions,
  createOffsetFetchResponseTopics,
} from '../../src/protocol/generated/clients/offset-fetch-response.js';
import { createLeaveGroupResponse } from '../../src/protocol/generated/clients/leave-group-response.js';
import type { SyncGroupRequest } from '../../src/protocol/generated/clients/sync-group-request.js';
import { createSyncGroupResponse } from '../../src/protocol/generated/clients/sync-group-response.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';

/** A scheduler whose tasks run when the test says so. */
class ManualScheduler implements Scheduler {
  readonly tasks: { delayMs: number; task: () => void; cancelled: boolean }[] = [];
  schedule(delayMs: number, task: () => void): () => void {
    const entry = { delayMs, task, cancelled: false };
    this.tasks.push(entry);
    return () => (entry.cancelled = true);
  }
  pending(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }
  runNext(): void {
    const next = this.tasks.find((t) => !t.cancelled);
    if (!next) throw new Error('no task scheduled');
    next.cancelled = true;
    next.task();
  }
}

type Answer = (body: unknown) => unknown;

/** An in-process coordinator: each API answers from a queue of scripted answers; requests are recorded. */
function fakeCoordinator(script: Partial<Record<number, Answer[]>>) {
  const requests: { key: number; body: unknown }[] = [];
  const send = (async (api: { key: number; maxVersion: number }, request: unknown, options?: { check?: (r: unknown) => void }) => {
    const body = typeof request === 'function' ? (request as (v: number) => unknown)(api.maxVersion) : request;
    requests.push({ key: api.key, body });
    const answer = script[api.key]?.shift();
    if (!answer) throw new Error(`no scripted answer for API ${api.key}`);
    const response = answer(body);
    options?.check?.(response);
    return response;
  }) as unknown as CoordinatorSend;
  return { send, requests, of: <T>(key: number) => requests.filter((r) => r.key === key).map((r) => r.body as T) };
}

const options = { groupId: 'g', topics: ['t'], heartbeatIntervalMs: 1000 };
const counts = async () => new Map([['t', 3]]);

describe('GroupMember', () => {
  it('joins with the MEMBER_ID_REQUIRED round trip and assigns with range as the leader', async () => {
    const coordinator = fakeCoordinator({
      [ApiKey.JoinGroup]: [
        () => createJoinGroupResponse({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId: 'm-1' }),
        () =>
          createJoinGroupResponse({
            generationId: 1,
            protocolType: 'consumer',
            protocolName: 'range',
            leader: 'm-1',
            memberId: 'm-1',
            members: [
              createJoinGroupResponseMember({ memberId: 'm-1', metadata: encodeSubscription(['t'], new Map(), -1) }),
              createJoinGroupResponseMember({ memberId: 'm-2', metadata: encodeSubscription(['t'], new Map(), -1, 0) }),
            ],
          }),
      ],
      [ApiKey.SyncGroup]: [(body) => createSyncGroupResponse({ assignment: (body as SyncGroupRequest).assignments.find((a) => a.memberId === 'm-1')!.assignment })],
    });
    const scheduler = new ManualScheduler();
    const member = new GroupMember(options, { send: coordinator.send, partitionCounts: counts, scheduler });
    expect(member.rejoinNeeded).toBe(true);
    const assignment = await member.join();

    const joins = coordinator.of<JoinGroupRequest>(ApiKey.JoinGroup);
    expect(joins.map((j) => j.memberId)).toEqual(['', 'm-1']);
    expect(joins[0]).toMatchObject({ groupId: 'g', protocolType: 'consumer', protocols: [expect.objectContaining({ name: 'range' })] });
    expect(decodeSubscription(joins[0].protocols[0].metadata).topics).toEqual(['t']);
    const [sync] = coordinator.of<SyncGroupRequest>(ApiKey.SyncGroup);
    expect(sync).toMatchObject({ generationId: 1, memberId: 'm-1', protocolName: 'range' });
    expect(sync.assignments.map((a) => [a.memberId, Object.fromEntries(decodeAssignment(a.assignment))])).toEqual([
      ['m-1', { t: [0, 1] }],
      ['m-2', { t: [2] }],
    ]);
    // The lowest subscription version among the members is the assignment's version.
    expect(sync.assignments[0].assignment.readInt16BE(0)).toBe(0);
    expect(assignment).toEqual({ generationId: 1, memberId: 'm-1', isLeader: true, partitions: new Map([['t', [0, 1]]]) });
    expect(member.rejoinNeeded).toBe(false);
    expect(scheduler.pending()).toBe(1);
  });

  it('as a follower sends no assignments and takes the one the leader made', async () => {
    const coordinator = fakeCoordinator({
      [ApiKey.JoinGroup]: [() => createJoinGroupResponse({ generationId: 4, protocolName: 'range', leader: 'other', memberId: 'me' })],
      [ApiKey.SyncGroup]: [() => createSyncGroupResponse({ assignment: encodeAssignment(new Map([['t', [2]]])) })],
    });
    const member = new GroupMember(options, { send: coordinator.send, partitionCounts: counts, scheduler: new ManualScheduler() });
    expect(await member.join()).toMatchObject({ generationId: 4, isLeader: false, partitions: new Map([['t', [2]]]) });
    expect(coordinator.of<SyncGroupRequest>(ApiKey.SyncGroup)[0].assignments).toEqual([]);
  });

  it('rejoins when SyncGroup says a rebalance started', async () => {
    const join = (generationId: number) => () => createJoinGroupResponse({ generationId, protocolName: 'range', leader: 'x', memberId: 'me' });
    const coordinator = fakeCoordinator({
      [ApiKey.JoinGroup]: [join(1), join(2)],
      [ApiKey.SyncGroup]: [() => createSyncGroupResponse({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS }), () => createSyncGroupResponse({ assignment: Buffer.alloc(0) })],
    });
    const member = new GroupMember(options, { send: coordinator.send, partitionCounts: counts, scheduler: new ManualScheduler() });
    expect(await member.join()).toMatchObject({ generationId: 2, partitions: new Map() });
    expect(coordinator.of<JoinGroupRequest>(ApiKey.JoinGroup).map((j) => j.memberId)).toEqual(['', 'me']);
  });

  it('heartbeats on its timer until the coordinator announces a rebalance', async () => {
    const coordinator = fakeCoordinator({
      [ApiKey.JoinGroup]: [() => createJoinGroupResponse({ generationId: 3, protocolName: 'range', leader: 'x', memberId: 'me' })],
      [ApiKey.SyncGroup]: [() => createSyncGroupResponse({ assignment: encodeAssignment(new Map([['t', [0]]])) })],
      [ApiKey.Heartbeat]: [() => createHeartbeatResponse({}), () => createHeartbeatResponse({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS })],
    });
    const scheduler = new ManualScheduler();
    const member = new GroupMember(options, { send: coordinator.send, partitionCounts: counts, scheduler });
    await member.join();
    expect(scheduler.tasks[0].delayMs).toBe(1000);
    scheduler.runNext();
    await member.heartbeat(); // waits for nothing: the timer's heartbeat is under way, this one is skipped
    await new Promise((resolve) => setImmediate(resolve));
    expect(coordinator.of(ApiKey.Heartbeat)).toEqual([expect.objectContaining({ groupId: 'g', generationId: 3, memberId: 'me' })]);
    expect(member.rejoinNeeded).toBe(false);
    scheduler.runNext();
    await new Promise((resolve) => setImmediate(resolve));
    expect(member.rejoinNeeded).toBe(true);
    expect(scheduler.pending()).toBe(0);
  });

  it('commits with its generation, and reports a generation that is over', async () => {
    const commitAnswer = (errorCode: number) => (body: unknown) =>
      createOffsetCommitResponse({
        topics: (body as OffsetCommitRequest).topics.map((t) =>
          createOffsetCommitResponseTopic({ name: t.name, partitions: t.partitions.map((p) => createOffsetCommitResponsePartition({ partitionIndex: p.partitionIndex, errorCode })) }),
        ),
      });
    const coordinator = fakeCoordinator({
      [ApiKey.JoinGroup]: [() => createJoinGroupResponse({ generationId: 7, protocolName: 'range', leader: 'x', memberId: 'me' })],
      [ApiKey.SyncGroup]: [() => createSyncGroupResponse({ assignment: encodeAssignment(new Map([['t', [0, 1]]])) })],
      [ApiKey.OffsetCommit]: [commitAnswer(ErrorCode.NONE), commitAnswer(ErrorCode.ILLEGAL_GENERATION), commitAnswer(ErrorCode.NONE)],
    });
    const member = new GroupMember(options, { send: coordinator.send, partitionCounts: counts, scheduler: new ManualScheduler() });
    await member.join();
    await member.commit([
      { topic: 't', partition: 0, offset: 5 },
      { topic: 't', partition: 1, offset: 9 },
    ]);
    const [commit] = coordinator.of<OffsetCommitRequest>(ApiKey.OffsetCommit);
    expect(commit).toMatchObject({ groupId: 'g', generationIdOrMemberEpoch: 7, memberId: 'me' });
    expect(commit.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset])).toEqual([
      [0, 5],
      [1, 9],
    ]);
    await expect(member.commit([{ topic: 't', partition: 0, offset: 6 }])).rejects.toBeInstanceOf(RebalanceNeededError);
    expect(member.rejoinNeeded).toBe(true);
    // Outside the group (a partition assigned by hand), commits go with generation -1.
    await member.commit([{ topic: 't', partition: 0, offset: 6 }], false);
    expect(coordinator.of<OffsetCommitRequest>(ApiKey.OffsetCommit)[2]).toMatchObject({ generationIdOrMemberEpoch: -1, memberId: '' });
  });

  it('fetches committed offsets, null where there is none', async () => {
    const coordinator = fakeCoordinator({
      [ApiKey.OffsetFetch]: [
        () =>
          createOffsetFetchResponse({
            groups: [
              createOffsetFetchResponseGroup({
                groupId: 'g',
                topics: [
                  createOffsetFetchResponseTopics({
                    name: 't',
                    partitions: [createOffsetFetchResponsePartitions({ partitionIndex: 0, committedOffset: 12 }), createOffsetFetchResponsePartitions({ partitionIndex: 1, committedOffset: -1 })],
                  }),
                ],
              }),
            ],
          }),
      ],
    });
    const member = new GroupMember(options, { send: coordinator.send, partitionCounts: counts, scheduler: new ManualScheduler() });
    expect(await member.committed(new Map([['t', [0, 1]]]))).toEqual(new Map([['t', new Map([[0, 12], [1, null]])]]));
    expect(coordinator.of<OffsetFetchRequest>(ApiKey.OffsetFetch)[0].groups[0]).toMatchObject({ groupId: 'g', topics: [expect.objectContaining({ name: 't', partitionIndexes: [0, 1] })] });
  });

  it('leaves the group once, and stops heartbeating', async () => {
    const coordinator = fakeCoordinator({
      [ApiKey.JoinGroup]: [() => createJoinGroupResponse({ generationId: 1, protocolName: 'range', leader: 'x', memberId: 'me' })],
      [ApiKey.SyncGroup]: [() => createSyncGroupResponse({ assignment: Buffer.alloc(0) })],
      [ApiKey.LeaveGroup]: [() => createLeaveGroupResponse({})],
    });
    const scheduler = new ManualScheduler();
    const member = new GroupMember(options, { send: coordinator.send, partitionCounts: counts, scheduler });
    await member.join();
    await member.leave();
    await member.leave();
    expect(coordinator.of<LeaveGroupRequest>(ApiKey.LeaveGroup)).toEqual([expect.objectContaining({ groupId: 'g', members: [expect.objectContaining({ memberId: 'me' })] })]);
    expect(scheduler.pending()).toBe(0);
  });

  it('refuses a group that chose an assignor other than range', async () => {
    const coordinator = fakeCoordinator({
      [ApiKey.JoinGroup]: [() => createJoinGroupResponse({ generationId: 1, protocolName: 'roundrobin', leader: 'me', memberId: 'me', members: [] })],
    });
    const member = new GroupMember(options, { send: coordinator.send, partitionCounts: counts, scheduler: new ManualScheduler() });
    await expect(member.join()).rejects.toThrow('chose the roundrobin assignor');
  });
});
