import type {
  ConsumerGroupDescribeResponseDescribedGroup,
  ConsumerGroupDescribeResponseTopicPartitions,
} from '../../../protocol/generated/clients/consumer-group-describe-response.js';
import { ErrorCode } from '../../../protocol/generated/error-codes.js';
import { EMPTY_ASSIGNMENT, assignmentToList, type Assignment } from './assignment.js';
import { isReconciledTo, type ConsumerGroupMember } from './member.js';
import type { SubscriptionMetadata } from './records.js';
import type { TopicsView } from './topics-view.js';

/** A consumer group's state, spelled as Kafka's ListGroups and ConsumerGroupDescribe spell it. */
export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

/** ConsumerGroupDescribe's AuthorizedOperations when the request did not ask for them. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/** ConsumerGroupDescribe v1 MemberType of a member using the consumer protocol. */
const CONSUMER_MEMBER_TYPE = 1;

/**
 * One consumer group: the state its records build (Kafka's ConsumerGroup). Only the replay of
 * records changes it; the mutators below are what the replay of each record does.
 */
export class ConsumerGroup {
  private groupEpochValue = 0;
  private assignmentEpochValue = 0;
  private subscriptionMetadataValue: SubscriptionMetadata = new Map();
  private readonly members = new Map<string, ConsumerGroupMember>();
  /** Member id by instance id. */
  private readonly staticMembers = new Map<string, string>();
  private readonly targetAssignments = new Map<string, Assignment>();
  /** The epoch of the member that owns each partition (assigned or pending revocation). */
  private readonly partitionEpochs = new Map<string, Map<number, number>>();

  constructor(readonly groupId: string) {}

  get groupEpoch(): number {
    return this.groupEpochValue;
  }

  get assignmentEpoch(): number {
    return this.assignmentEpochValue;
  }

  get subscriptionMetadata(): SubscriptionMetadata {
    return this.subscriptionMetadataValue;
  }

  get memberCount(): number {
    return this.members.size;
  }

  allMembers(): IterableIterator<ConsumerGroupMember> {
    return this.members.values();
  }

  member(memberId: string): ConsumerGroupMember | undefined {
    return this.members.get(memberId);
  }

  staticMember(instanceId: string): ConsumerGroupMember | undefined {
    const memberId = this.staticMembers.get(instanceId);
    return memberId === undefined ? undefined : this.members.get(memberId);
  }

  targetAssignment(memberId: string): Assignment {
    return this.targetAssignments.get(memberId) ?? EMPTY_ASSIGNMENT;
  }

  /** Whether a target assignment record exists for the member (an empty assignment counts). */
  hasTargetAssignment(memberId: string): boolean {
    return this.targetAssignments.has(memberId);
  }

  hasTargetAssignments(): boolean {
    return this.targetAssignments.size > 0;
  }

  partitionEpoch(topicId: string, partition: number): number {
    return this.partitionEpochs.get(topicId)?.get(partition) ?? -1;
  }

  state(): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpochValue > this.assignmentEpochValue) return 'Assigning';
    for (const member of this.members.values()) if (!isReconciledTo(member, this.assignmentEpochValue)) return 'Reconciling';
    return 'Stable';
  }

  /** The server assignor most members ask for; ties go to the one configured first. */
  preferredServerAssignor(configured: readonly string[]): string | undefined {
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      if (member.serverAssignor !== null) votes.set(member.serverAssignor, (votes.get(member.serverAssignor) ?? 0) + 1);
    }
    let best: string | undefined;
    for (const name of configured) if ((votes.get(name) ?? 0) > (best === undefined ? 0 : (votes.get(best) ?? 0))) best = name;
    return best;
  }

  setGroupEpoch(epoch: number): void {
    this.groupEpochValue = epoch;
  }

  setAssignmentEpoch(epoch: number): void {
    this.assignmentEpochValue = epoch;
  }

  setSubscriptionMetadata(metadata: SubscriptionMetadata): void {
    this.subscriptionMetadataValue = metadata;
  }

  updateMember(member: ConsumerGroupMember): void {
    const previous = this.members.get(member.memberId);
    if (previous !== undefined) this.removePartitionEpochs(previous);
    this.members.set(member.memberId, member);
    this.addPartitionEpochs(member);
    if (member.instanceId !== null) this.staticMembers.set(member.instanceId, member.memberId);
  }

  removeMember(memberId: string): void {
    const previous = this.members.get(memberId);
    if (previous === undefined) return;
    this.removePartitionEpochs(previous);
    this.members.delete(memberId);
    if (previous.instanceId !== null && this.staticMembers.get(previous.instanceId) === memberId) this.staticMembers.delete(previous.instanceId);
  }

  updateTargetAssignment(memberId: string, assignment: Assignment): void {
    this.targetAssignments.set(memberId, assignment);
  }

  removeTargetAssignment(memberId: string): void {
    this.targetAssignments.delete(memberId);
  }

  /** `assignors`: group.consumer.assignors, the first being the default. */
  describe(topics: TopicsView, assignors: readonly string[], authorizedOperations: number): ConsumerGroupDescribeResponseDescribedGroup {
    const describeAssignment = (assignment: Assignment): { topicPartitions: ConsumerGroupDescribeResponseTopicPartitions[] } => ({
      topicPartitions: assignmentToList(assignment).flatMap(({ topicId, partitions }) => {
        const topic = topics.byId(topicId);
        return topic === undefined ? [] : [{ topicId, topicName: topic.name, partitions }];
      }),
    });
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId: this.groupId,
      groupState: this.state(),
      groupEpoch: this.groupEpochValue,
      assignmentEpoch: this.assignmentEpochValue,
      assignorName: this.preferredServerAssignor(assignors) ?? assignors[0],
      members: [...this.members.values()].map((member) => ({
        memberId: member.memberId,
        instanceId: member.instanceId,
        rackId: member.rackId,
        memberEpoch: member.memberEpoch,
        clientId: member.clientId,
        clientHost: member.clientHost,
        subscribedTopicNames: [...member.subscribedTopicNames],
        subscribedTopicRegex: member.subscribedTopicRegex,
        assignment: describeAssignment(member.assignedPartitions),
        targetAssignment: describeAssignment(this.targetAssignment(member.memberId)),
        memberType: CONSUMER_MEMBER_TYPE,
      })),
      authorizedOperations,
    };
  }

  /**
   * Kafka's ConsumerGroup.validateOffsetCommit: a commit with a negative epoch (admin client, or a
   * consumer without group management) is accepted while the group has no member; otherwise it
   * must come from a member at its current epoch, over OffsetCommit v9+ unless transactional.
   */
  validateOffsetCommit(memberId: string, memberEpoch: number, apiVersion: number, isTransactional: boolean): number {
    if (memberEpoch < 0 && this.members.size === 0) return ErrorCode.NONE;
    const member = this.members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (!isTransactional && apiVersion < 9) return ErrorCode.UNSUPPORTED_VERSION;
    return memberEpoch === member.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  /** Kafka's ConsumerGroup.validateOffsetFetch: anonymous fetches (no member id, negative epoch) pass. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE;
    const member = memberId === null ? undefined : this.members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    return memberEpoch === member.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  private addPartitionEpochs(member: ConsumerGroupMember): void {
    for (const assignment of [member.assignedPartitions, member.partitionsPendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        let epochs = this.partitionEpochs.get(topicId);
        if (epochs === undefined) this.partitionEpochs.set(topicId, (epochs = new Map()));
        for (const partition of partitions) {
          const owner = epochs.get(partition);
          if (owner !== undefined) {
            throw new Error(`group ${this.groupId}: ${topicId}-${partition} is already owned at epoch ${owner}, cannot give it to ${member.memberId}`);
          }
          epochs.set(partition, member.memberEpoch);
        }
      }
    }
  }

  private removePartitionEpochs(member: ConsumerGroupMember): void {
    for (const assignment of [member.assignedPartitions, member.partitionsPendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        const epochs = this.partitionEpochs.get(topicId);
        if (epochs === undefined) continue;
        for (const partition of partitions) epochs.delete(partition);
        if (epochs.size === 0) this.partitionEpochs.delete(topicId);
      }
    }
  }
}
