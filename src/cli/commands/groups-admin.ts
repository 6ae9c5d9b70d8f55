/**
 * The consumer-group requests behind `gregor groups` / `kafka-consumer-groups`, as Kafka's admin
 * client makes them: ListGroups to every broker, ConsumerGroupDescribe with a fallback to
 * DescribeGroups, OffsetFetch, OffsetCommit, OffsetDelete and DeleteGroups to the group's
 * coordinator, ListOffsets to partition leaders.
 */
import { KafkaProtocolError, UnsupportedVersionError, throwIfError } from '../../client/errors.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import {
  ConsumerGroupDescribeApi,
  DeleteGroupsApi,
  DescribeGroupsApi,
  ListGroupsApi,
  ListOffsetsApi,
  OffsetCommitApi,
  OffsetDeleteApi,
  OffsetFetchApi,
} from '../../protocol/generated/apis.js';
import { createConsumerGroupDescribeRequest } from '../../protocol/generated/clients/consumer-group-describe-request.js';
import { decodeConsumerProtocolAssignment } from '../../protocol/generated/clients/consumer-protocol-assignment.js';
import { createDeleteGroupsRequest } from '../../protocol/generated/clients/delete-groups-request.js';
import { createDescribeGroupsRequest } from '../../protocol/generated/clients/describe-groups-request.js';
import { createListGroupsRequest } from '../../protocol/generated/clients/list-groups-request.js';
import { createListOffsetsRequest, createListOffsetsRequestListOffsetsPartition, createListOffsetsRequestListOffsetsTopic } from '../../protocol/generated/clients/list-offsets-request.js';
import { createOffsetCommitRequest, createOffsetCommitRequestPartition, createOffsetCommitRequestTopic } from '../../protocol/generated/clients/offset-commit-request.js';
import { createOffsetDeleteRequest, createOffsetDeleteRequestPartition, createOffsetDeleteRequestTopic } from '../../protocol/generated/clients/offset-delete-request.js';
import { createOffsetFetchRequest, createOffsetFetchRequestGroup } from '../../protocol/generated/clients/offset-fetch-request.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { Reader } from '../../protocol/reader.js';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** A group as ListGroups names it. */
export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
  /** null from brokers older than ListGroups v4. */
  readonly state: string | null;
  /** `classic` or `consumer`; null from brokers older than ListGroups v5. */
  readonly type: string | null;
}

/** The protocol types of the groups Kafka's tool lists: consumers, and "simple" groups that only have offsets. */
function isConsumerGroup(protocolType: string): boolean {
  return protocolType === 'consumer' || protocolType === '';
}

/**
 * ListGroups to every broker (each lists the groups it coordinates), consumer groups only,
 * sorted by id. `states` and `types` filter on the broker (ListGroups v4 and v5).
 */
export async function listGroups(client: KafkaClient, states: readonly string[], types: readonly string[]): Promise<ListedGroup[]> {
  const metadata = await client.metadata();
  const minVersion = types.length > 0 ? 5 : states.length > 0 ? 4 : 0;
  const answers = await Promise.all(
    [...metadata.brokers.keys()].map((nodeId) =>
      client.sendToBroker(nodeId, ListGroupsApi, createListGroupsRequest({ statesFilter: [...states], typesFilter: [...types] }), {
        versions: { min: minVersion, max: ListGroupsApi.maxVersion },
        check: (r) => throwIfError(r.errorCode, `ListGroups to broker ${nodeId}`),
      }),
    ),
  );
  const byId = new Map<string, ListedGroup>();
  for (const answer of answers) {
    for (const g of answer.groups) {
      if (!isConsumerGroup(g.protocolType)) continue;
      byId.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState === '' ? null : g.groupState, type: g.groupType === '' ? null : g.groupType });
    }
  }
  return [...byId.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

export interface GroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly host: string;
  /** Sorted; empty when the member has none (or, for a classic group, not yet). */
  readonly assignment: TopicPartition[];
}

export interface GroupDescription {
  readonly groupId: string;
  /** Kafka's state names: Stable, Empty, PreparingRebalance, CompletingRebalance, Assigning, Reconciling, Dead. */
  readonly state: string;
  /** `consumer` for a KIP-848 group (described with ConsumerGroupDescribe), `classic` otherwise. */
  readonly type: 'classic' | 'consumer';
  /** The assignor: the classic group's protocol name, or the consumer group's server-side assignor. */
  readonly assignmentStrategy: string;
  readonly members: GroupMember[];
}

/** Retriable errors inside a group response must reach the client so it retries (or finds the coordinator again). */
function checkRetriable(errorCode: number, context: string): void {
  if (errorCode === ErrorCode.NOT_COORDINATOR || errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE || errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
    throwIfError(errorCode, context);
  }
}

/**
 * Describes a group as Kafka's admin client does: ConsumerGroupDescribe first, and
 * DescribeGroups when the group is not a consumer-protocol group (GROUP_ID_NOT_FOUND) or the
 * broker does not serve ConsumerGroupDescribe. An unknown group is Dead, with no members.
 */
export async function describeGroup(client: KafkaClient, groupId: string): Promise<GroupDescription> {
  const context = `describing group ${groupId}`;
  let consumer;
  try {
    consumer = await client.sendToGroupCoordinator(groupId, ConsumerGroupDescribeApi, createConsumerGroupDescribeRequest({ groupIds: [groupId] }), {
      check: (r) => checkRetriable(r.groups[0]?.errorCode ?? ErrorCode.NONE, context),
    });
  } catch (err) {
    if (!(err instanceof UnsupportedVersionError)) throw err;
  }
  const described = consumer?.groups[0];
  if (described && described.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND) {
    throwIfError(described.errorCode, context, described.errorMessage);
    return {
      groupId,
      state: described.groupState,
      type: 'consumer',
      assignmentStrategy: described.assignorName,
      members: described.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.instanceId,
        clientId: m.clientId,
        host: m.clientHost,
        assignment: m.assignment.topicPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topicName, partition }))).sort(compareTopicPartitions),
      })),
    };
  }
  const response = await client.sendToGroupCoordinator(groupId, DescribeGroupsApi, createDescribeGroupsRequest({ groups: [groupId] }), {
    check: (r) => checkRetriable(r.groups[0]?.errorCode ?? ErrorCode.NONE, context),
  });
  const group = response.groups[0];
  if (group === undefined) throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, context, 'the response has no entry for the group');
  if (group.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) return { groupId, state: 'Dead', type: 'classic', assignmentStrategy: '', members: [] };
  throwIfError(group.errorCode, context);
  if (!isConsumerGroup(group.protocolType)) throw new Error(`Group '${groupId}' is not a consumer group (its protocol type is ${group.protocolType})`);
  return {
    groupId,
    state: group.groupState,
    type: 'classic',
    assignmentStrategy: group.protocolData,
    members: group.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: decodeAssignment(m.memberAssignment),
    })),
  };
}

/** A classic consumer's assignment: ConsumerProtocolAssignment after its int16 version; empty if absent or undecodable. */
export function decodeAssignment(bytes: Buffer): TopicPartition[] {
  if (bytes.length < 2) return [];
  try {
    const reader = new Reader(bytes);
    const version = reader.readInt16();
    const assignment = decodeConsumerProtocolAssignment(reader, Math.min(version, 3));
    return assignment.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))).sort(compareTopicPartitions);
  } catch {
    return [];
  }
}

/** OffsetFetch of every committed offset of a group (partitions without one are left out). */
export async function committedOffsets(client: KafkaClient, groupId: string): Promise<Map<string, { tp: TopicPartition; offset: number }>> {
  const context = `fetching the offsets of group ${groupId}`;
  let sentVersion = -1;
  const response = await client.sendToGroupCoordinator(
    groupId,
    OffsetFetchApi,
    (version) => {
      sentVersion = version;
      return version >= 8
        ? createOffsetFetchRequest({ groups: [createOffsetFetchRequestGroup({ groupId, memberId: null, memberEpoch: -1, topics: null })] })
        : createOffsetFetchRequest({ groupId, topics: null });
    },
    {
      // Null topics (every offset of the group) need v2.
      versions: { min: 2, max: OffsetFetchApi.maxVersion },
      check: (r) => checkRetriable(sentVersion >= 8 ? (r.groups[0]?.errorCode ?? ErrorCode.NONE) : r.errorCode, context),
    },
  );
  const offsets = new Map<string, { tp: TopicPartition; offset: number }>();
  const add = (topic: string, partitions: readonly { partitionIndex: number; committedOffset: number; errorCode: number }[]): void => {
    for (const p of partitions) {
      throwIfError(p.errorCode, `${context}: ${topic}-${p.partitionIndex}`);
      if (p.committedOffset < 0) continue;
      const tp = { topic, partition: p.partitionIndex };
      offsets.set(tpKey(tp), { tp, offset: p.committedOffset });
    }
  };
  if (sentVersion >= 8) {
    const group = response.groups[0];
    if (group === undefined) throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, context, 'the response has no entry for the group');
    throwIfError(group.errorCode, context);
    for (const t of group.topics) add(t.name, t.partitions);
  } else {
    throwIfError(response.errorCode, context);
    for (const t of response.topics) add(t.name, t.partitions);
  }
  return offsets;
}

/** ListOffsets' special timestamps. */
export const LATEST = -1;
export const EARLIEST = -2;

/**
 * The offsets of partitions at a time (LATEST, EARLIEST or a timestamp), by `tpKey`: null for a
 * partition of a topic that does not exist (or no longer has that partition), and for a
 * timestamp after the last record.
 */
export async function listOffsets(client: KafkaClient, partitions: readonly TopicPartition[], timestamp: number): Promise<Map<string, number | null>> {
  const result = new Map<string, number | null>();
  if (partitions.length === 0) return result;
  const metadata = await client.metadata([...new Set(partitions.map((p) => p.topic))]);
  await Promise.all(
    partitions.map(async (tp) => {
      const topic = metadata.topics.get(tp.topic);
      if (topic === undefined || topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || !topic.partitions.has(tp.partition)) {
        result.set(tpKey(tp), null);
        return;
      }
      const request = createListOffsetsRequest({
        replicaId: -1,
        topics: [createListOffsetsRequestListOffsetsTopic({ name: tp.topic, partitions: [createListOffsetsRequestListOffsetsPartition({ partitionIndex: tp.partition, timestamp })] })],
      });
      const response = await client.sendToLeader(tp.topic, tp.partition, ListOffsetsApi, request, {
        versions: { min: 1, max: ListOffsetsApi.maxVersion },
        check: (r) => throwIfError(r.topics[0].partitions[0].errorCode, `ListOffsets ${tpKey(tp)}`),
      });
      const offset = response.topics[0].partitions[0].offset;
      result.set(tpKey(tp), offset < 0 ? null : offset);
    }),
  );
  return result;
}

/** The partitions of topics, from Metadata; a topic that does not exist fails with Kafka-like wording. */
export async function topicPartitions(client: KafkaClient, topics: readonly string[]): Promise<TopicPartition[]> {
  if (topics.length === 0) return [];
  const metadata = await client.metadata(topics);
  return topics.flatMap((name) => {
    const topic = metadata.topics.get(name);
    if (topic === undefined || topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new Error(`Topic '${name}' does not exist`);
    throwIfError(topic.errorCode, `metadata for topic ${name}`);
    return [...topic.partitions.keys()].sort((a, b) => a - b).map((partition) => ({ topic: name, partition }));
  });
}

/** The topics that exist, of those named: Metadata without failing for the others. */
export async function existingTopics(client: KafkaClient, topics: readonly string[]): Promise<Map<string, number[]>> {
  const found = new Map<string, number[]>();
  if (topics.length === 0) return found;
  const metadata = await client.metadata(topics);
  for (const name of topics) {
    const topic = metadata.topics.get(name);
    if (topic === undefined || topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue;
    throwIfError(topic.errorCode, `metadata for topic ${name}`);
    found.set(name, [...topic.partitions.keys()].sort((a, b) => a - b));
  }
  return found;
}

function byTopic<T extends TopicPartition>(partitions: readonly T[]): Map<string, T[]> {
  const topics = new Map<string, T[]>();
  for (const p of partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
  return topics;
}

/** OffsetCommit from outside the group (generation -1, no member id), as Kafka's alterConsumerGroupOffsets. */
export async function commitOffsets(client: KafkaClient, groupId: string, offsets: readonly (TopicPartition & { offset: number })[]): Promise<void> {
  const context = `committing offsets of group ${groupId}`;
  const topics = [...byTopic(offsets)].map(([name, partitions]) =>
    createOffsetCommitRequestTopic({
      name,
      partitions: partitions.map((p) => createOffsetCommitRequestPartition({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' })),
    }),
  );
  const response = await client.sendToGroupCoordinator(
    groupId,
    OffsetCommitApi,
    createOffsetCommitRequest({ groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics }),
    {
      versions: { min: 2, max: OffsetCommitApi.maxVersion },
      check: (r) => {
        for (const t of r.topics) for (const p of t.partitions) checkRetriable(p.errorCode, context);
      },
    },
  );
  for (const t of response.topics) for (const p of t.partitions) throwIfError(p.errorCode, `${context}: ${t.name}-${p.partitionIndex}`);
}

/** DeleteGroups, to each group's coordinator: the error code per group. */
export async function deleteGroups(client: KafkaClient, groupIds: readonly string[]): Promise<Map<string, number>> {
  const results = await Promise.all(
    groupIds.map(async (groupId) => {
      const response = await client.sendToGroupCoordinator(groupId, DeleteGroupsApi, createDeleteGroupsRequest({ groupsNames: [groupId] }), {
        check: (r) => checkRetriable(r.results[0]?.errorCode ?? ErrorCode.NONE, `deleting group ${groupId}`),
      });
      return [groupId, response.results.find((r) => r.groupId === groupId)?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR] as const;
    }),
  );
  return new Map(results);
}

/** OffsetDelete: the top-level error code and one per partition, by `tpKey`. */
export async function deleteOffsets(client: KafkaClient, groupId: string, partitions: readonly TopicPartition[]): Promise<{ errorCode: number; partitions: Map<string, number> }> {
  const topics = [...byTopic(partitions)].map(([name, ps]) =>
    createOffsetDeleteRequestTopic({ name, partitions: ps.map((p) => createOffsetDeleteRequestPartition({ partitionIndex: p.partition })) }),
  );
  const response = await client.sendToGroupCoordinator(groupId, OffsetDeleteApi, createOffsetDeleteRequest({ groupId, topics }), {
    check: (r) => checkRetriable(r.errorCode, `deleting offsets of group ${groupId}`),
  });
  const result = new Map<string, number>();
  for (const t of response.topics) for (const p of t.partitions) result.set(tpKey({ topic: t.name, partition: p.partitionIndex }), p.errorCode);
  return { errorCode: response.errorCode, partitions: result };
}
