import {
  type ConsumerProtocolAssignment,
  createConsumerProtocolAssignment,
  createConsumerProtocolAssignmentTopicPartition,
  decodeConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
} from '../protocol/generated/clients/consumer-protocol-assignment.js';
import {
  type ConsumerProtocolSubscription,
  createConsumerProtocolSubscription,
  createConsumerProtocolSubscriptionTopicPartition,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from '../protocol/generated/clients/consumer-protocol-subscription.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';

/** The protocol type of Kafka's consumers in JoinGroup. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';
/** The highest ConsumerProtocolSubscription / Assignment version Kafka 3.x writes. */
export const CONSUMER_PROTOCOL_VERSION = 3;

/** Partitions by topic. */
export type TopicPartitions = ReadonlyMap<string, readonly number[]>;

/** JoinGroup metadata: an int16 version, then a ConsumerProtocolSubscription of that version. */
export function encodeSubscription(topics: readonly string[], owned: TopicPartitions, generationId: number, version = CONSUMER_PROTOCOL_VERSION): Buffer {
  const w = new Writer();
  w.writeInt16(version);
  const ownedPartitions = [...owned].map(([topic, partitions]) => createConsumerProtocolSubscriptionTopicPartition({ topic, partitions: [...partitions] }));
  encodeConsumerProtocolSubscription(
    w,
    version,
    createConsumerProtocolSubscription({
      topics: [...topics],
      userData: null,
      ownedPartitions: version >= 1 ? ownedPartitions : [],
      generationId: version >= 2 ? generationId : -1,
      rackId: null,
    }),
  );
  return w.finishToBuffer();
}

/** A member's JoinGroup metadata, with the version it was written at. */
export function decodeSubscription(bytes: Buffer): ConsumerProtocolSubscription & { version: number } {
  const r = new Reader(bytes);
  const version = r.readInt16();
  // Newer versions only append fields: read what we know.
  return { ...decodeConsumerProtocolSubscription(r, Math.min(version, CONSUMER_PROTOCOL_VERSION)), version };
}

export function encodeAssignment(assignment: TopicPartitions, version = CONSUMER_PROTOCOL_VERSION): Buffer {
  const w = new Writer();
  w.writeInt16(version);
  encodeConsumerProtocolAssignment(
    w,
    version,
    createConsumerProtocolAssignment({
      assignedPartitions: [...assignment].map(([topic, partitions]) => createConsumerProtocolAssignmentTopicPartition({ topic, partitions: [...partitions] })),
      userData: null,
    }),
  );
  return w.finishToBuffer();
}

/** A SyncGroup assignment; an empty buffer (a member the leader left out) is no partitions. */
export function decodeAssignment(bytes: Buffer): Map<string, number[]> {
  const assignment = new Map<string, number[]>();
  if (bytes.length === 0) return assignment;
  const r = new Reader(bytes);
  const version = r.readInt16();
  const decoded: ConsumerProtocolAssignment = decodeConsumerProtocolAssignment(r, Math.min(version, CONSUMER_PROTOCOL_VERSION));
  for (const tp of decoded.assignedPartitions) assignment.set(tp.topic, [...(assignment.get(tp.topic) ?? []), ...tp.partitions].sort((a, b) => a - b));
  return assignment;
}

export interface MemberSubscription {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly topics: readonly string[];
}

/**
 * Kafka's RangeAssignor: for each topic, its subscribers sorted (by group instance id when both
 * have one, else by member id) each get a contiguous range of the partitions, the first
 * `partitions % subscribers` of them one more than the rest. Topics missing from
 * `partitionCounts` are skipped. Every member gets an entry, possibly empty.
 */
export function rangeAssign(members: readonly MemberSubscription[], partitionCounts: ReadonlyMap<string, number>): Map<string, Map<string, number[]>> {
  const result = new Map<string, Map<string, number[]>>(members.map((m) => [m.memberId, new Map()]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const count = partitionCounts.get(topic);
    if (count === undefined) continue;
    const subscribers = members.filter((m) => m.topics.includes(topic)).sort(compareMembers);
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((member, i) => {
      const start = per * i + Math.min(i, extra);
      const length = per + (i + 1 > extra ? 0 : 1);
      if (length > 0) result.get(member.memberId)!.set(topic, Array.from({ length }, (_, k) => start + k));
    });
  }
  return result;
}

/** Kafka's MemberInfo order: static members by instance id first, then member ids. */
function compareMembers(a: MemberSubscription, b: MemberSubscription): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return compare(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compare(a.memberId, b.memberId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
