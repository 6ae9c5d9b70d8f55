/**
 * kafkajs consumer groups (the classic protocol) against `gregor server` as a child process:
 * partitions split across members, members joining, leaving and crashing mid-stream with no
 * message lost, committed offsets across a broker restart, consumer lag, and the group admin
 * APIs.
 *
 * Delivery accounting. Every member commits after each message (`autoCommit: false` and one
 * `commitOffsets` per message) and the test records each delivery with whether its commit was
 * acknowledged. At-least-once then allows a message to be delivered again only when an earlier
 * delivery's commit was not acknowledged (the member crashed, or the commit failed in a
 * rebalance); so the check is: every produced message is delivered, and no message has more
 * than one delivery with an acknowledged commit.
 */
import { rmSync } from 'node:fs';
import { type Admin, AssignerProtocol, type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, tempDataDir } from './support/broker-process.js';
import { waitFor } from '../support/wait-for.js';
import { ChildMember } from './support/groups.js';

/** No initial rebalance delay: groups here form by waiting for their members, not for a clock. */
const BROKER_PROPERTIES = { 'group.initial.rebalance.delay.ms': '0' };
/** The broker's group.min.session.timeout.ms, so that a crashed member is noticed soon. */
const SESSION_TIMEOUT_MS = 6000;

function client(port: number, clientId = 'e2e-groups'): Kafka {
  return new Kafka({ brokers: [`127.0.0.1:${port}`], clientId, logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 50, maxRetryTime: 1000 } });
}

/** One delivery of a message to a member's eachMessage. */
interface Delivery {
  member: string;
  partition: number;
  offset: number;
  key: string;
  /** Set once the commit of offset + 1 was acknowledged. */
  committed: boolean;
}

/** A kafkajs consumer in this process that commits after every message and records what it got. */
class Member {
  readonly consumer: Consumer;
  /** Its latest GROUP_JOIN: member id and assignment of the topic. */
  joined?: { memberId: string; partitions: number[] };

  private constructor(
    readonly name: string,
    kafka: Kafka,
    readonly groupId: string,
    private readonly topic: string,
    private readonly deliveries: Delivery[],
  ) {
    this.consumer = kafka.consumer({ groupId, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = { memberId: payload.memberId, partitions: [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b) };
    });
  }

  static async start(name: string, kafka: Kafka, groupId: string, topic: string, deliveries: Delivery[]): Promise<Member> {
    const member = new Member(name, kafka, groupId, topic, deliveries);
    await member.consumer.connect();
    await member.consumer.subscribe({ topic, fromBeginning: true });
    await member.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const delivery: Delivery = { member: name, partition, offset: Number(message.offset), key: message.key!.toString(), committed: false };
        member.deliveries.push(delivery);
        await member.consumer.commitOffsets([{ topic: member.topic, partition, offset: String(delivery.offset + 1) }]);
        delivery.committed = true;
      },
    });
    return member;
  }

  get delivered(): number {
    return this.deliveries.filter((d) => d.member === this.name).length;
  }
}

/** Produces keyed messages (keys `<prefix>-<i>`) and remembers every key it was acknowledged for. */
class KeyedProducer {
  readonly sent: string[] = [];
  private next = 0;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly prefix: string,
  ) {}

  async send(count: number): Promise<void> {
    const keys = Array.from({ length: count }, () => `${this.prefix}-${this.next++}`);
    await this.producer.send({ topic: this.topic, acks: -1, messages: keys.map((key) => ({ key, value: `value of ${key}` })) });
    this.sent.push(...keys);
  }
}

interface GroupState {
  state: string;
  /** Member id to its assigned partitions of the topic, decoded from DescribeGroups. */
  members: Map<string, number[]>;
}

async function describeGroup(admin: Admin, groupId: string, topic: string): Promise<GroupState> {
  const { groups } = await admin.describeGroups([groupId]);
  const members = new Map<string, number[]>();
  for (const m of groups[0].members) {
    const assignment = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
    members.set(m.memberId, [...(assignment?.assignment[topic] ?? [])].sort((a, b) => a - b));
  }
  return { state: groups[0].state, members };
}

/**
 * Waits until the group is Stable with exactly `members` and each of them has been told (GROUP_JOIN)
 * the assignment DescribeGroups shows; resolves with that assignment, by member name.
 */
async function settled(admin: Admin, topic: string, members: Member[]): Promise<Map<string, number[]>> {
  const groupId = members[0].groupId;
  let last: GroupState | undefined;
  await waitFor(
    `group ${groupId} to be Stable with ${members.map((m) => m.name).join(', ')}`,
    async () => {
      last = await describeGroup(admin, groupId, topic);
      if (last.state !== 'Stable' || last.members.size !== members.length) return false;
      return members.every((m) => m.joined !== undefined && JSON.stringify(last!.members.get(m.joined.memberId)) === JSON.stringify(m.joined.partitions));
    },
    { describe: () => ({ state: last?.state, members: [...(last?.members ?? [])], local: members.map((m) => [m.name, m.joined]) }) },
  );
  return new Map(members.map((m) => [m.name, m.joined!.partitions]));
}

/** Committed offset per partition (-1 when none), from OffsetFetch. */
async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return result.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}

/** High watermark per partition, from ListOffsets. */
async function endOffsets(admin: Admin, topic: string): Promise<number[]> {
  return (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((p) => Number(p.high));
}

async function lag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [committed, end] = await Promise.all([committedOffsets(admin, groupId, topic), endOffsets(admin, topic)]);
  return end.reduce((sum, high, p) => sum + high - Math.max(committed[p], 0), 0);
}

/** Deliveries grouped by key. */
function byKey(deliveries: Delivery[]): Map<string, Delivery[]> {
  const map = new Map<string, Delivery[]>();
  for (const d of deliveries) map.set(d.key, [...(map.get(d.key) ?? []), d]);
  return map;
}

/** What kafkajs's deleteGroups throws: a KafkaJSDeleteGroupsError listing each group's protocol error. */
interface DeleteGroupsError {
  name: string;
  groups?: Array<{ groupId: string; error: { type: string } }>;
}

async function deleteGroupsError(action: Promise<unknown>): Promise<DeleteGroupsError> {
  return action.then(
    () => expect.fail('expected an error'),
    (e: DeleteGroupsError) => e,
  );
}

let dataDir: string;
let broker: BrokerProcess;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
/** Every member and child a test started; stopped after it. */
let members: Member[] = [];
let children: ChildMember[] = [];

beforeAll(async () => {
  dataDir = tempDataDir();
  broker = await BrokerProcess.start(dataDir, BROKER_PROPERTIES);
  kafka = client(broker.port);
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

afterEach(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await Promise.all(members.map((m) => m.consumer.disconnect()));
  members = [];
  children = [];
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  if (broker) expect(await broker.stop()).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
});

async function startMember(name: string, groupId: string, topic: string, deliveries: Delivery[]): Promise<Member> {
  const member = await Member.start(name, kafka, groupId, topic, deliveries);
  members.push(member);
  return member;
}

describe('kafkajs consumer groups', () => {
  it('splits six partitions across three members, and every message is consumed exactly once', async () => {
    const topic = 'groups-split';
    const groupId = 'split';
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    const deliveries: Delivery[] = [];
    const group = await Promise.all(['a', 'b', 'c'].map((name) => startMember(name, groupId, topic, deliveries)));

    const assignment = await settled(admin, topic, group);
    // Each partition is owned by exactly one member, and each member owns two (round robin).
    expect([...assignment.values()].flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...assignment.values()].map((p) => p.length)).toEqual([2, 2, 2]);

    const keyed = new KeyedProducer(producer, topic, 'split');
    await keyed.send(150);
    await keyed.send(150);
    await waitFor('every message to be committed', async () => (await lag(admin, groupId, topic)) === 0);

    const keys = byKey(deliveries);
    expect([...keys.keys()].sort()).toEqual([...keyed.sent].sort());
    expect([...keys.values()].filter((d) => d.length > 1)).toEqual([]);
    // Nobody rejoined, so each message went to the member its partition is assigned to.
    for (const d of deliveries) expect(assignment.get(d.member)).toContain(d.partition);
    expect(group.map((m) => m.delivered).every((n) => n > 0)).toBe(true);
  });

  it('loses no message and duplicates only uncommitted ones as members join, leave and crash mid-stream', async () => {
    const topic = 'groups-churn';
    const groupId = 'churn';
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    const deliveries: Delivery[] = [];
    const keyed = new KeyedProducer(producer, topic, 'churn');

    // Messages keep arriving throughout: 10 at a time, paced (the pace is not what is tested).
    let pumping = true;
    const pump = (async () => {
      while (pumping) {
        await keyed.send(10);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const progress = async (what: string, count: number): Promise<void> => {
      const from = deliveries.length;
      await waitFor(`${count} more deliveries ${what}`, () => deliveries.length >= from + count);
    };

    try {
      const a = await startMember('a', groupId, topic, deliveries);
      const b = await startMember('b', groupId, topic, deliveries);
      await settled(admin, topic, [a, b]);
      await progress('with a and b', 50);

      // c joins.
      const c = await startMember('c', groupId, topic, deliveries);
      await waitFor('c to consume', () => c.delivered >= 10);
      await settled(admin, topic, [a, b, c]);
      await progress('with a, b and c', 30);

      // b leaves cleanly (LeaveGroup).
      await b.consumer.disconnect();
      members = members.filter((m) => m !== b);
      await settled(admin, topic, [a, c]);
      await progress('with a and c', 30);

      // d, in a child process, joins, consumes, stops before committing its tenth message, and is SIGKILLed:
      // no LeaveGroup, so the group waits out its session.
      const d = new ChildMember(`127.0.0.1:${broker.port}`, groupId, topic, 10, (e) => {
        if (e.event === 'message') deliveries.push({ member: 'd', partition: e.partition, offset: Number(e.offset), key: e.key!, committed: false });
        if (e.event === 'committed') {
          const delivery = deliveries.filter((x) => x.member === 'd' && x.partition === e.partition && x.offset === Number(e.offset)).at(-1);
          delivery!.committed = true;
        }
      });
      children.push(d);
      await waitFor('d to stall on its tenth message', () => deliveries.filter((x) => x.member === 'd').length >= 10, { describe: () => d.stderr.join('') });
      const partitionsOfD = d.assignment?.[topic] ?? [];
      expect(partitionsOfD.length).toBeGreaterThan(0);
      await d.kill();
      // It sent no LeaveGroup: the group still counts it as a member until its session times out.
      expect([...(await describeGroup(admin, groupId, topic)).members.keys()]).toContain(d.memberId);
      // Once its session times out the group drops it, and d's partitions go back to a and c.
      await waitFor('the group to drop d', async () => !(await describeGroup(admin, groupId, topic)).members.has(d.memberId!), {
        timeoutMs: SESSION_TIMEOUT_MS + 20_000,
      });
      const afterCrash = await settled(admin, topic, [a, c]);
      expect([...afterCrash.values()].flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(partitionsOfD.every((p) => afterCrash.get('a')!.includes(p) || afterCrash.get('c')!.includes(p))).toBe(true);
      await progress('after d crashed', 30);
    } finally {
      pumping = false;
      await pump;
    }

    await waitFor('every message to be committed', async () => (await lag(admin, groupId, topic)) === 0, {
      describe: () => ({ delivered: deliveries.length, sent: keyed.sent.length }),
    });

    const keys = byKey(deliveries);
    const lost = keyed.sent.filter((k) => !keys.has(k));
    expect(lost).toEqual([]);
    expect(keys.size).toBe(keyed.sent.length);
    // A message is delivered again only when no earlier delivery's commit was acknowledged.
    const committedTwice = [...keys.values()].filter((ds) => ds.filter((d) => d.committed).length > 1);
    expect(committedTwice).toEqual([]);
    // And the message d never committed was delivered again, to a or c, which committed it.
    const [stalled, ...none] = deliveries.filter((x) => x.member === 'd' && !x.committed);
    expect(none).toEqual([]);
    expect(keys.get(stalled.key)!.filter((x) => x.member !== 'd').map((x) => [x.partition, x.offset, x.committed])).toEqual([[stalled.partition, stalled.offset, true]]);
    // Every partition's messages were committed in order, whoever owned it: offsets 0..end.
    const end = await endOffsets(admin, topic);
    for (let p = 0; p < 6; p++) {
      const offsets = new Set(deliveries.filter((d) => d.partition === p).map((d) => d.offset));
      expect(offsets.size).toBe(end[p]);
    }
  });

  it('tells the group lag: ListOffsets minus OffsetFetch', async () => {
    const topic = 'groups-lag';
    const groupId = 'lag';
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const keyed = new KeyedProducer(producer, topic, 'lag');
    await keyed.send(40);
    const deliveries: Delivery[] = [];
    const member = await startMember('a', groupId, topic, deliveries);
    await waitFor('every message to be consumed', () => deliveries.filter((d) => d.committed).length === 40);
    expect(await lag(admin, groupId, topic)).toBe(0);
    expect(await committedOffsets(admin, groupId, topic)).toEqual(await endOffsets(admin, topic));

    await member.consumer.disconnect();
    members = [];
    await keyed.send(25);
    expect(await lag(admin, groupId, topic)).toBe(25);
  });

  it('lists, describes and deletes groups, refusing to delete one with members', async () => {
    const topic = 'groups-admin';
    const groupId = 'admin-group';
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const keyed = new KeyedProducer(producer, topic, 'admin');
    await keyed.send(10);
    const deliveries: Delivery[] = [];
    const group = [await startMember('a', groupId, topic, deliveries), await startMember('b', groupId, topic, deliveries)];
    await settled(admin, topic, group);
    await waitFor('every message to be committed', async () => (await lag(admin, groupId, topic)) === 0);

    const { groups: listed } = await admin.listGroups();
    expect(listed).toContainEqual({ groupId, protocolType: 'consumer' });

    const { groups: described } = await admin.describeGroups([groupId]);
    expect(described).toHaveLength(1);
    const [description] = described;
    expect(description).toMatchObject({ groupId, state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner', errorCode: 0 });
    expect(description.members.map((m) => m.memberId).sort()).toEqual(group.map((m) => m.joined!.memberId).sort());
    for (const m of description.members) {
      expect(m.clientId).toBe('e2e-groups');
      expect(m.clientHost).toMatch(/127\.0\.0\.1/);
      expect(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics).toEqual([topic]);
    }

    const nonEmpty = await deleteGroupsError(admin.deleteGroups([groupId]));
    expect(nonEmpty.name).toBe('KafkaJSDeleteGroupsError');
    expect(nonEmpty.groups?.map((g) => [g.groupId, g.error.type])).toEqual([[groupId, 'NON_EMPTY_GROUP']]);
    expect(await committedOffsets(admin, groupId, topic)).toEqual(await endOffsets(admin, topic));

    await Promise.all(group.map((m) => m.consumer.disconnect()));
    members = [];
    await waitFor('the group to be Empty', async () => (await describeGroup(admin, groupId, topic)).state === 'Empty');
    expect(await admin.deleteGroups([groupId])).toEqual([{ groupId, errorCode: 0 }]);
    expect(await committedOffsets(admin, groupId, topic)).toEqual([-1, -1]);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
    expect((await admin.describeGroups([groupId])).groups[0]).toMatchObject({ groupId, state: 'Dead', members: [] });
    const unknown = await deleteGroupsError(admin.deleteGroups([groupId]));
    expect(unknown.groups?.map((g) => g.error.type)).toEqual(['GROUP_ID_NOT_FOUND']);
  });
});

describe('committed offsets across a broker restart', () => {
  it('keeps them: OffsetFetch answers the same, and a new member starts after them', async () => {
    const ownDir = tempDataDir();
    let first: BrokerProcess | undefined = await BrokerProcess.start(ownDir, BROKER_PROPERTIES);
    let second: BrokerProcess | undefined;
    const topic = 'groups-restart';
    const groupId = 'restart';
    try {
      let k = client(first.port);
      let ownAdmin = k.admin();
      await ownAdmin.connect();
      await ownAdmin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
      let ownProducer = k.producer({ allowAutoTopicCreation: false });
      await ownProducer.connect();
      await new KeyedProducer(ownProducer, topic, 'before').send(60);

      const before: Delivery[] = [];
      const member = await Member.start('a', k, groupId, topic, before);
      await waitFor('every message to be committed', async () => (await lag(ownAdmin, groupId, topic)) === 0);
      await member.consumer.disconnect();
      const committed = await committedOffsets(ownAdmin, groupId, topic);
      expect(committed.reduce((a, b) => a + b)).toBe(60);
      await ownProducer.disconnect();
      await ownAdmin.disconnect();
      expect(await first.stop()).toBe(0);
      first = undefined;

      second = await BrokerProcess.start(ownDir, BROKER_PROPERTIES);
      k = client(second.port);
      ownAdmin = k.admin();
      await ownAdmin.connect();
      expect(await committedOffsets(ownAdmin, groupId, topic)).toEqual(committed);
      ownProducer = k.producer({ allowAutoTopicCreation: false });
      await ownProducer.connect();
      const after = new KeyedProducer(ownProducer, topic, 'after');
      await after.send(30);

      // fromBeginning only applies without a committed offset: the new member reads the 30 new messages only.
      const afterRestart: Delivery[] = [];
      const next = await Member.start('b', k, groupId, topic, afterRestart);
      await waitFor('the new messages to be committed', async () => (await lag(ownAdmin, groupId, topic)) === 0);
      await next.consumer.disconnect();
      expect(afterRestart.map((d) => d.key).sort()).toEqual([...after.sent].sort());
      for (const d of afterRestart) expect(d.offset).toBeGreaterThanOrEqual(committed[d.partition]);
      const final = await committedOffsets(ownAdmin, groupId, topic);
      await ownProducer.disconnect();
      await ownAdmin.disconnect();

      // And after a crash (SIGKILL, no clean shutdown), the replayed offsets are the latest ones.
      expect(await second.stop('SIGKILL')).toBeNull();
      second = await BrokerProcess.start(ownDir, BROKER_PROPERTIES);
      ownAdmin = client(second.port).admin();
      await ownAdmin.connect();
      expect(await committedOffsets(ownAdmin, groupId, topic)).toEqual(final);
      expect(final).toEqual(await endOffsets(ownAdmin, topic));
      await ownAdmin.disconnect();
    } finally {
      await first?.stop('SIGKILL');
      await second?.stop();
      rmSync(ownDir, { recursive: true, force: true });
    }
  });
});
