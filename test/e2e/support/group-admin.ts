import { BrokerConnection } from '../../../src/client/broker-connection.js';
import { decodeConsumerProtocolAssignment } from '../../../src/protocol/generated/clients/consumer-protocol-assignment.js';
import { CreateTopicsApi, DescribeGroupsApi, ListGroupsApi, ListOffsetsApi, OffsetFetchApi } from '../../../src/protocol/generated/apis.js';
import { Reader } from '../../../src/protocol/reader.js';
import { testConnectionOptions } from '../../support/connection-options.js';

/** A member of a described group, with its assignment decoded when the group is a consumer group. */
export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  /** topic -> sorted partitions */
  assignment: Record<string, number[]>;
}

export interface DescribedGroup {
  errorCode: number;
  state: string;
  protocolType: string;
  protocol: string;
  members: DescribedMember[];
}

/** partition -> offset */
export type PartitionOffsets = Record<number, number>;

/** Decodes a ConsumerProtocolAssignment (version prefix, then the assignment). */
export function decodeAssignment(bytes: Buffer): Record<string, number[]> {
  if (bytes.length === 0) return {};
  const reader = new Reader(bytes);
  const version = reader.readInt16();
  const assignment: Record<string, number[]> = {};
  for (const { topic, partitions } of decodeConsumerProtocolAssignment(reader, version).assignedPartitions) {
    assignment[topic] = [...(assignment[topic] ?? []), ...partitions].sort((a, b) => a - b);
  }
  return assignment;
}

/**
 * What a test asks the (single) broker about consumer groups and offsets, over one connection
 * speaking the generated APIs at fixed versions: the broker is every group's coordinator.
 */
export class GroupAdmin {
  private constructor(private readonly connection: BrokerConnection) {}

  static async open(port: number): Promise<GroupAdmin> {
    return new GroupAdmin(await BrokerConnection.open(testConnectionOptions(port, { clientId: 'e2e-group-admin' })));
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  async createTopic(name: string, numPartitions: number): Promise<void> {
    const response = await this.connection.send(
      CreateTopicsApi,
      5,
      CreateTopicsApi.request.create({ topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30_000 }),
    );
    const [topic] = response.topics;
    if (topic.errorCode !== 0) throw new Error(`CreateTopics ${name} failed with error ${topic.errorCode}: ${topic.errorMessage}`);
  }

  /** ListGroups v4: every group with its state. */
  async listGroups(): Promise<Array<{ groupId: string; protocolType: string; state: string }>> {
    const response = await this.connection.send(ListGroupsApi, 4, ListGroupsApi.request.create({}));
    if (response.errorCode !== 0) throw new Error(`ListGroups failed with error ${response.errorCode}`);
    return response.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState }));
  }

  /** DescribeGroups v4 (it has group instance ids) of one group. */
  async describeGroup(groupId: string): Promise<DescribedGroup> {
    const response = await this.connection.send(DescribeGroupsApi, 4, DescribeGroupsApi.request.create({ groups: [groupId] }));
    const [group] = response.groups;
    return {
      errorCode: group.errorCode,
      state: group.groupState,
      protocolType: group.protocolType,
      protocol: group.protocolData,
      members: group.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        assignment: group.protocolType === 'consumer' ? decodeAssignment(m.memberAssignment) : {},
      })),
    };
  }

  /** OffsetFetch v7 of `partitions` of `topic`: the committed offset of each, -1 when none. */
  async committedOffsets(groupId: string, topic: string, partitions: number[]): Promise<PartitionOffsets> {
    const response = await this.connection.send(
      OffsetFetchApi,
      7,
      OffsetFetchApi.request.create({ groupId, topics: [{ name: topic, partitionIndexes: partitions }] }),
    );
    if (response.errorCode !== 0) throw new Error(`OffsetFetch ${groupId} failed with error ${response.errorCode}`);
    const offsets: PartitionOffsets = {};
    for (const p of response.topics.find((t) => t.name === topic)?.partitions ?? []) {
      if (p.errorCode !== 0) throw new Error(`OffsetFetch ${groupId} ${topic}-${p.partitionIndex} failed with error ${p.errorCode}`);
      offsets[p.partitionIndex] = p.committedOffset;
    }
    return offsets;
  }

  /** ListOffsets v1 with the latest timestamp (-1): the log end offset of each partition. */
  async logEndOffsets(topic: string, partitions: number[]): Promise<PartitionOffsets> {
    const response = await this.connection.send(
      ListOffsetsApi,
      1,
      ListOffsetsApi.request.create({ replicaId: -1, topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 })) }] }),
    );
    const offsets: PartitionOffsets = {};
    for (const p of response.topics.find((t) => t.name === topic)?.partitions ?? []) {
      if (p.errorCode !== 0) throw new Error(`ListOffsets ${topic}-${p.partitionIndex} failed with error ${p.errorCode}`);
      offsets[p.partitionIndex] = p.offset;
    }
    return offsets;
  }

  /** Consumer lag per partition: log end offset minus committed offset (the whole log when nothing is committed). */
  async lag(groupId: string, topic: string, partitions: number[]): Promise<PartitionOffsets> {
    const [committed, end] = await Promise.all([this.committedOffsets(groupId, topic, partitions), this.logEndOffsets(topic, partitions)]);
    return Object.fromEntries(partitions.map((p) => [p, end[p] - Math.max(committed[p], 0)]));
  }
}

