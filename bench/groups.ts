/**
 * Group coordinator benchmark.
 *
 * (a) Rebalance: from a group's members joining to every member holding its assignment, for
 *     groups of 1, 10 and 100 members. First in the pure shard (GroupCoordinatorShard, classic
 *     protocol, initial rebalance delay 0, a plain-number clock): CPU time per rebalance. Then on a
 *     real broker in this process (group.initial.rebalance.delay.ms=0): each member on its own
 *     connection sends JoinGroup v9 (through MEMBER_ID_REQUIRED) and SyncGroup v5; wall time from
 *     the first JoinGroup sent to the last SyncGroup answered. The ratio broker / shard is what the
 *     network, the codec and the acks=all append of the assignment record add.
 * (b) Offset commits next to produces on the same broker in the same run: single-partition
 *     OffsetCommit v8 requests (a simple group) and single-record Produce v9 requests (acks=-1, as
 *     the coordinator appends with acks=all), each pipelined with a fixed window in flight.
 *
 *   npm run bench:groups
 *   GREGOR_BENCH_COMMITS=50000 npm run bench:groups
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerConnection } from '../src/client/broker-connection.js';
import { DEFAULT_CLASSIC_GROUP_CONFIG, type GroupReply } from '../src/coordinator/group/classic-group-model.js';
import { DEFAULT_CONSUMER_GROUP_CONFIG } from '../src/coordinator/group/consumer/consumer-groups.js';
import type { TopicsView } from '../src/coordinator/group/consumer/topics-view.js';
import { GroupCoordinatorShard } from '../src/coordinator/group/group-coordinator-shard.js';
import { startBroker } from '../src/index.js';
import {
  CreateTopicsApi,
  DescribeGroupsApi,
  FindCoordinatorApi,
  JoinGroupApi,
  LeaveGroupApi,
  OffsetCommitApi,
  ProduceApi,
  SyncGroupApi,
} from '../src/protocol/generated/apis.js';
import { createConsumerProtocolSubscription, encodeConsumerProtocolSubscription } from '../src/protocol/generated/clients/consumer-protocol-subscription.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../src/protocol/generated/clients/create-topics-request.js';
import { createJoinGroupRequest } from '../src/protocol/generated/clients/join-group-request.js';
import type { JoinGroupResponse } from '../src/protocol/generated/clients/join-group-response.js';
import { createLeaveGroupRequest } from '../src/protocol/generated/clients/leave-group-request.js';
import { createOffsetCommitRequest } from '../src/protocol/generated/clients/offset-commit-request.js';
import {
  createProduceRequest,
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
} from '../src/protocol/generated/clients/produce-request.js';
import { createSyncGroupRequest } from '../src/protocol/generated/clients/sync-group-request.js';
import { ErrorCode } from '../src/protocol/generated/error-codes.js';
import { buildRecordBatch } from '../src/protocol/records/batch-builder.js';
import { Writer } from '../src/protocol/writer.js';
import { SeededRandom } from '../src/util/random.js';
import { SILENT_LOGGER } from '../src/util/logger.js';
import { testConnectionOptions } from '../test/support/connection-options.js';
import { median, percentile, seconds } from './support/measure.js';

const SIZES = [1, 10, 100] as const;
/** Rebalances measured per group size: in the shard, and on the broker. */
const SHARD_ROUNDS: Record<number, number> = { 1: 2000, 10: 500, 100: 100 };
const BROKER_ROUNDS: Record<number, number> = { 1: 200, 10: 100, 100: 20 };
const COMMITS = Number(process.env.GREGOR_BENCH_COMMITS ?? 20_000);
const WINDOW = 64;
const TOPIC = 'bench-groups';
const NO_TOPICS: TopicsView = { byName: () => undefined, byId: () => undefined, names: () => [] };

function subscription(): Buffer {
  const w = new Writer(64);
  w.writeInt16(1);
  encodeConsumerProtocolSubscription(w, 1, createConsumerProtocolSubscription({ topics: [TOPIC] }));
  return w.finishToBuffer();
}
const METADATA = subscription();

function joinRequest(groupId: string, memberId: string) {
  return createJoinGroupRequest({
    groupId,
    sessionTimeoutMs: 60_000,
    rebalanceTimeoutMs: 60_000,
    memberId,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: METADATA }],
  });
}

// ---- (a) the pure shard --------------------------------------------------------------------------

function newShard(seed: number): GroupCoordinatorShard {
  return new GroupCoordinatorShard(
    {
      classic: { ...DEFAULT_CLASSIC_GROUP_CONFIG, initialRebalanceDelayMs: 0 },
      consumer: DEFAULT_CONSUMER_GROUP_CONFIG,
      offsetMetadataMaxBytes: 4096,
      offsetsRetentionMs: 7 * 24 * 3_600_000,
    },
    new SeededRandom(seed),
  );
}

/**
 * Microseconds of CPU per rebalance of a new group of `size` members, one sample per round. Each
 * round gets a fresh shard: the shard's deadline scan visits every group it holds (see
 * {@link deadlineScan}), which would otherwise grow with the round number.
 */
function shardRebalances(size: number, rounds: number): number[] {
  const samples: number[] = [];
  let to = 1;
  let now = 1_000_000;
  const ctx = (version: number) => ({ to: to++, apiVersion: version, clientId: 'bench', clientHost: '/127.0.0.1', now });
  const joinOf = (replies: readonly GroupReply[], handle: number): JoinGroupResponse => {
    const reply = replies.find((r) => r.to === handle);
    if (reply?.api !== 'join') throw new Error('no join reply');
    return reply.response;
  };
  for (let round = 0; round < rounds; round++) {
    const groupId = `g-${round}`;
    const shard = newShard(round);
    const startNs = process.hrtime.bigint();
    const parked: number[] = [];
    for (let m = 0; m < size; m++) {
      const first = ctx(9);
      const required = joinOf(shard.joinGroup(joinRequest(groupId, ''), first).replies, first.to);
      const second = ctx(9);
      shard.joinGroup(joinRequest(groupId, required.memberId), second);
      parked.push(second.to);
    }
    const completed = shard.tick(now, NO_TOPICS);
    const joined = parked.map((handle) => joinOf(completed.replies, handle));
    const leader = joined[0].leader;
    const generationId = joined[0].generationId;
    const assignments = joined.map((j) => ({ memberId: j.memberId, assignment: METADATA }));
    let answered = 0;
    for (const j of joined) {
      const request = createSyncGroupRequest({ groupId, generationId, memberId: j.memberId, assignments: j.memberId === leader ? assignments : [] });
      const fx = shard.syncGroup(request, ctx(5));
      answered += fx.replies.length + fx.repliesAfterCommit.length;
    }
    const ns = Number(process.hrtime.bigint() - startNs);
    if (answered !== size || shard.classic.get(groupId)?.currentState !== 'Stable') throw new Error(`group ${groupId} did not become Stable`);
    // The shard is synchronous and does no I/O: its elapsed time on this thread is its CPU time
    // (process.cpuUsage ticks too coarsely to time one rebalance of a small group).
    samples.push(ns / 1000);
    now += 10;
  }
  return samples;
}

/**
 * Microseconds for one nextDeadline() and one tick() of a shard holding `groups` groups of one
 * member each, none of them due: what the driver pays after every operation to reschedule.
 */
function deadlineScan(groups: number): number {
  const shard = newShard(groups);
  let to = 1;
  for (let g = 0; g < groups; g++) shard.joinGroup(joinRequest(`idle-${g}`, ''), { to: to++, apiVersion: 3, clientId: 'bench', clientHost: '/127.0.0.1', now: 0 });
  shard.tick(0, NO_TOPICS);
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = process.hrtime.bigint();
    shard.nextDeadline();
    shard.tick(1, NO_TOPICS);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return median(samples);
}

// ---- (a) the broker ------------------------------------------------------------------------------

/** Milliseconds from the first JoinGroup to the last SyncGroup answer, one sample per round. */
async function brokerRebalances(connections: readonly BrokerConnection[], size: number, rounds: number, prefix: string): Promise<number[]> {
  const members = connections.slice(0, size);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const groupId = `${prefix}-${size}-${round}`;
    const start = process.hrtime.bigint();
    const joined = await Promise.all(
      members.map(async (c) => {
        const required = await c.send(JoinGroupApi, 9, joinRequest(groupId, ''));
        if (required.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) throw new Error(`JoinGroup answered ${required.errorCode}`);
        return c.send(JoinGroupApi, 9, joinRequest(groupId, required.memberId));
      }),
    );
    const leader = joined[0].leader;
    const generationId = joined[0].generationId;
    const assignments = joined.map((j) => ({ memberId: j.memberId, assignment: METADATA }));
    const synced = await Promise.all(
      members.map((c, i) =>
        c.send(
          SyncGroupApi,
          5,
          createSyncGroupRequest({ groupId, generationId, memberId: joined[i].memberId, assignments: joined[i].memberId === leader ? assignments : [] }),
        ),
      ),
    );
    samples.push(seconds(start) * 1000);
    for (const r of [...joined, ...synced]) if (r.errorCode !== ErrorCode.NONE) throw new Error(`rebalance of ${groupId} failed with ${r.errorCode}`);
    // Not measured: the members leave, so that no session of a finished round fires later.
    await members[0].send(
      LeaveGroupApi,
      5,
      createLeaveGroupRequest({ groupId, members: joined.map((j) => ({ memberId: j.memberId, groupInstanceId: null, reason: null })) }),
    );
  }
  return samples;
}

/** Waits until the coordinator partitions of every group the benchmark uses are loaded. */
async function coordinatorsLoaded(connection: BrokerConnection, groupIds: string[]): Promise<void> {
  await connection.send(FindCoordinatorApi, 3, { key: groupIds[0], keyType: 0, coordinatorKeys: [] });
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const described = await connection.send(DescribeGroupsApi, 5, { groups: groupIds, includeAuthorizedOperations: false });
    if (described.groups.every((g) => g.errorCode === ErrorCode.NONE)) return;
  }
  throw new Error('the group coordinator did not load');
}

// ---- (b) commits next to produces ----------------------------------------------------------------

/** Sends `count` requests built by `request(i)`, `WINDOW` in flight at a time; resolves with requests per second. */
async function pipelined(count: number, send: (i: number) => Promise<number>): Promise<number> {
  let next = 0;
  let failures = 0;
  const start = process.hrtime.bigint();
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      if ((await send(i)) !== ErrorCode.NONE) failures++;
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
  const secs = seconds(start);
  if (failures > 0) throw new Error(`${failures} of ${count} requests failed`);
  return count / secs;
}

function commitOne(connection: BrokerConnection, i: number): Promise<number> {
  return connection
    .send(
      OffsetCommitApi,
      8,
      createOffsetCommitRequest({
        groupId: 'bench-commits',
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: i, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' }] }],
      }),
    )
    .then((r) => r.topics[0].partitions[0].errorCode);
}

function produceOne(connection: BrokerConnection, i: number): Promise<number> {
  const records = buildRecordBatch({ records: [{ key: null, value: Buffer.from(`record ${i}`), timestamp: Date.now() }] });
  return connection
    .send(
      ProduceApi,
      9,
      createProduceRequest({
        acks: -1,
        timeoutMs: 30_000,
        topicData: [createProduceRequestTopicProduceData({ name: TOPIC, partitionData: [createProduceRequestPartitionProduceData({ index: 0, records })] })],
      }),
    )
    .then((r) => r.responses[0].partitionResponses[0].errorCode);
}

// ---- main ----------------------------------------------------------------------------------------

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits).padStart(10);
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}`);

  const shard = new Map<number, number[]>();
  for (const size of SIZES) {
    shardRebalances(size, Math.ceil(SHARD_ROUNDS[size] / 10)); // warm-up
    shard.set(size, shardRebalances(size, SHARD_ROUNDS[size]));
  }

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-bench-groups-'));
  const broker = await startBroker({
    logger: SILENT_LOGGER,
    properties: { 'log.dirs': dataDir, listeners: 'PLAINTEXT://127.0.0.1:0', 'group.initial.rebalance.delay.ms': '0' },
  });
  const port = broker.listeners[0].port;
  const connections: BrokerConnection[] = [];
  try {
    for (let i = 0; i < Math.max(...SIZES); i++) connections.push(await BrokerConnection.open(testConnectionOptions(port, { clientId: `bench-${i}` })));
    const admin = connections[0];
    const created = await admin.send(
      CreateTopicsApi,
      7,
      createCreateTopicsRequest({ topics: [createCreateTopicsRequestCreatableTopic({ name: TOPIC, numPartitions: 1, replicationFactor: 1 })], timeoutMs: 30_000 }),
    );
    if (created.topics[0].errorCode !== ErrorCode.NONE) throw new Error(`creating ${TOPIC} failed with ${created.topics[0].errorCode}`);
    const groupIds = ['bench-commits'];
    for (const prefix of ['warm', 'bench']) for (const size of SIZES) for (let r = 0; r < BROKER_ROUNDS[size]; r++) groupIds.push(`${prefix}-${size}-${r}`);
    await coordinatorsLoaded(admin, groupIds);

    const wire = new Map<number, number[]>();
    for (const size of SIZES) {
      await brokerRebalances(connections, size, Math.ceil(BROKER_ROUNDS[size] / 10), 'warm');
      wire.set(size, await brokerRebalances(connections, size, BROKER_ROUNDS[size], 'bench'));
    }

    console.log('\n(a) rebalance, members joining to a stable assignment (classic protocol, initial delay 0)');
    console.log(`${'members'.padStart(8)} ${'shard rounds'.padStart(12)} ${'CPU µs p50'.padStart(10)} ${'CPU µs p99'.padStart(10)} ${'µs/member'.padStart(10)} ${'broker rounds'.padStart(13)} ${'wall ms p50'.padStart(11)} ${'wall ms p99'.padStart(11)} ${'broker/shard p50'.padStart(16)}`);
    for (const size of SIZES) {
      const s = shard.get(size)!;
      const w = wire.get(size)!;
      console.log(
        `${String(size).padStart(8)} ${String(s.length).padStart(12)} ${fmt(median(s))} ${fmt(percentile(s, 99))} ${fmt(median(s) / size)} ${String(w.length).padStart(13)} ${fmt(median(w), 2).padStart(11)} ${fmt(percentile(w, 99), 2).padStart(11)} ${fmt((median(w) * 1000) / median(s), 0).padStart(16)}`,
      );
    }

    console.log(`deadline scan (nextDeadline + tick, nothing due), µs: ${[100, 1_000, 10_000].map((n) => `${n} groups ${deadlineScan(n).toFixed(1)}`).join(', ')}`);

    // (b): alternate the two, twice, and keep the better run of each (the first pays for warm-up).
    const commitRates: number[] = [];
    const produceRates: number[] = [];
    for (let run = 0; run < 2; run++) {
      produceRates.push(await pipelined(COMMITS, (i) => produceOne(connections[1], i)));
      commitRates.push(await pipelined(COMMITS, (i) => commitOne(connections[2], i)));
    }
    const commits = Math.max(...commitRates);
    const produces = Math.max(...produceRates);
    console.log(`\n(b) ${COMMITS} single-partition requests per run, ${WINDOW} in flight on one connection, best of 2 runs`);
    console.log(`${'OffsetCommit v8 (simple group) commits/s'.padEnd(48)} ${fmt(commits, 0)}`);
    console.log(`${'Produce v9, 1 record, acks=-1 requests/s'.padEnd(48)} ${fmt(produces, 0)}`);
    console.log(`${'ratio commits / produces'.padEnd(48)} ${fmt(commits / produces, 2)}`);
  } finally {
    for (const c of connections) await c.close();
    await broker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
