import type { ConsumerGroupHeartbeatRequest } from '../../../../src/protocol/generated/clients/consumer-group-heartbeat-request.js';
import type { ConsumerGroupHeartbeatResponse } from '../../../../src/protocol/generated/clients/consumer-group-heartbeat-response.js';
import type { CoordinatorRecord } from '../../../../src/coordinator/group/coordinator-records.js';
import {
  ConsumerGroups,
  DEFAULT_CONSUMER_GROUP_CONFIG,
  type ConsumerGroupConfig,
} from '../../../../src/coordinator/group/consumer/consumer-groups.js';
import type { TopicDescription, TopicsView } from '../../../../src/coordinator/group/consumer/topics-view.js';
import { SeededRandom } from '../../../../src/util/random.js';

/** A mutable metadata image: topics get ids `id-<name>-<generation>`, so a recreated topic has a new id. */
export class FakeTopics implements TopicsView {
  private readonly topics = new Map<string, TopicDescription>();
  private generation = 0;

  create(name: string, partitions: number): string {
    const id = `id-${name}-${this.generation++}`;
    this.topics.set(name, { id, name, partitions });
    return id;
  }

  grow(name: string, partitions: number): void {
    const topic = this.topics.get(name);
    if (topic === undefined) throw new Error(`no topic ${name}`);
    this.topics.set(name, { ...topic, partitions });
  }

  delete(name: string): void {
    this.topics.delete(name);
  }

  id(name: string): string {
    const topic = this.topics.get(name);
    if (topic === undefined) throw new Error(`no topic ${name}`);
    return topic.id;
  }

  byName(name: string): TopicDescription | undefined {
    return this.topics.get(name);
  }

  byId(id: string): TopicDescription | undefined {
    return [...this.topics.values()].find((topic) => topic.id === id);
  }

  names(): Iterable<string> {
    return this.topics.keys();
  }
}

export type Owned = { topicId: string; partitions: number[] }[];

export interface JoinOptions {
  memberId?: string;
  instanceId?: string | null;
  topics?: string[] | null;
  regex?: string | null;
  assignor?: string | null;
  rebalanceTimeoutMs?: number;
  apiVersion?: number;
  rackId?: string | null;
}

/** A consumer as the harness plays it: its member id, epoch and the partitions it owns. */
export interface Client {
  memberId: string;
  instanceId: string | null;
  epoch: number;
  owned: Owned;
}

/** Drives one ConsumerGroups with a plain-number clock, keeping every record it writes. */
export class ConsumerHarness {
  now = 1_000_000;
  readonly topics = new FakeTopics();
  readonly groups: ConsumerGroups;
  readonly log: CoordinatorRecord[] = [];

  constructor(
    readonly config: ConsumerGroupConfig = DEFAULT_CONSUMER_GROUP_CONFIG,
    seed = 7,
  ) {
    this.groups = new ConsumerGroups(config, new SeededRandom(seed));
  }

  send(request: Partial<ConsumerGroupHeartbeatRequest>, apiVersion = 1): ConsumerGroupHeartbeatResponse {
    const full: ConsumerGroupHeartbeatRequest = {
      groupId: 'g',
      memberId: '',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: null,
      ...request,
    };
    const { response, records } = this.groups.heartbeat(full, { apiVersion, clientId: 'client', clientHost: '/10.0.0.1', now: this.now }, this.topics);
    this.log.push(...records);
    return response;
  }

  /** Joins with epoch 0 and returns the client with what the response gave it. */
  join(options: JoinOptions = {}): { client: Client; response: ConsumerGroupHeartbeatResponse } {
    const apiVersion = options.apiVersion ?? 1;
    const response = this.send(
      {
        memberId: options.memberId ?? (apiVersion >= 1 ? `member-${this.log.length}-${this.now}` : ''),
        memberEpoch: 0,
        instanceId: options.instanceId ?? null,
        rackId: options.rackId ?? null,
        rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 30_000,
        subscribedTopicNames: options.topics === undefined ? ['t'] : options.topics,
        subscribedTopicRegex: options.regex ?? null,
        serverAssignor: options.assignor ?? null,
        topicPartitions: [],
      },
      apiVersion,
    );
    if (response.errorCode !== 0) throw new Error(`join failed: ${response.errorCode} ${response.errorMessage}`);
    const client: Client = { memberId: response.memberId as string, instanceId: options.instanceId ?? null, epoch: response.memberEpoch, owned: [] };
    applyAssignment(client, response);
    return { client, response };
  }

  /** A regular heartbeat reporting what the client owns; the client takes what it is given. */
  poll(client: Client): ConsumerGroupHeartbeatResponse {
    const response = this.send({ memberId: client.memberId, memberEpoch: client.epoch, instanceId: client.instanceId, topicPartitions: client.owned });
    if (response.errorCode === 0) {
      client.epoch = response.memberEpoch;
      applyAssignment(client, response);
    }
    return response;
  }

  /** Every client heartbeats in turn until the group is Stable (or the rounds run out). */
  settle(clients: Client[], rounds = 10): void {
    for (let round = 0; round < rounds; round++) {
      if (this.groups.list().find((group) => group.groupId === 'g')?.state === 'Stable') return;
      for (const client of clients) {
        const response = this.poll(client);
        if (response.errorCode !== 0) throw new Error(`heartbeat of ${client.memberId} failed: ${response.errorCode} ${response.errorMessage}`);
      }
    }
    throw new Error('group did not become Stable');
  }

  tick(): CoordinatorRecord[] {
    const records = this.groups.tick(this.now, this.topics);
    this.log.push(...records);
    return records;
  }

  state(groupId = 'g'): string | undefined {
    return this.groups.list().find((group) => group.groupId === groupId)?.state;
  }

  describe(groupId = 'g'): ReturnType<ConsumerGroups['describe']> {
    return this.groups.describe(groupId, this.topics, false);
  }

  /** A fresh ConsumerGroups rebuilt from every record written so far. */
  replayed(): ConsumerGroups {
    const groups = new ConsumerGroups(this.config, new SeededRandom(99));
    for (const record of this.log) groups.replay(record);
    return groups;
  }
}

function applyAssignment(client: Client, response: ConsumerGroupHeartbeatResponse): void {
  if (response.assignment !== null) client.owned = response.assignment.topicPartitions.map(({ topicId, partitions }) => ({ topicId, partitions: [...partitions] }));
}

/** `topicId:partition` strings of an owned list, sorted. */
export function partitionsOf(owned: Owned | readonly { topicId: string; partitions: readonly number[] }[]): string[] {
  return owned.flatMap(({ topicId, partitions }) => partitions.map((partition) => `${topicId}:${partition}`)).sort();
}
