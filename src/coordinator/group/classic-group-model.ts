import type { JoinGroupRequestProtocol } from '../../protocol/generated/clients/join-group-request.js';
import type { JoinGroupResponse } from '../../protocol/generated/clients/join-group-response.js';
import type { SyncGroupResponse } from '../../protocol/generated/clients/sync-group-response.js';
import type { HeartbeatResponse } from '../../protocol/generated/clients/heartbeat-response.js';
import type { LeaveGroupResponse } from '../../protocol/generated/clients/leave-group-response.js';
import type { GroupMetadataRecord } from './coordinator-records.js';

/*
 * The vocabulary of the classic group state machine (classic-group.ts) and of those who drive it:
 * its settings, its members, what an operation decides, and the answers that carry only an error.
 */

/** The assignment of a member that has none. */
export const EMPTY_ASSIGNMENT = Buffer.alloc(0);

export type ClassicGroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** The member id of a member that has none yet, and the leader of a group that has none. */
export const UNKNOWN_MEMBER_ID = '';

/** Kafka's group coordinator settings that the classic state machine reads. */
export interface ClassicGroupConfig {
  /** group.min.session.timeout.ms */
  readonly minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  readonly maxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms */
  readonly initialRebalanceDelayMs: number;
  /** group.max.size */
  readonly maxSize: number;
  /** How long a new member's parked JoinGroup may wait (Kafka's fixed 5 minutes). */
  readonly newMemberJoinTimeoutMs: number;
}

export const DEFAULT_CLASSIC_GROUP_CONFIG: ClassicGroupConfig = {
  minSessionTimeoutMs: 6_000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3_000,
  maxSize: 2_147_483_647,
  newMemberJoinTimeoutMs: 300_000,
};

/** Who a reply goes to: the driver's handle for a request it handed in. */
export type ReplyTo = number;

export type GroupReply =
  | { readonly to: ReplyTo; readonly api: 'join'; readonly response: JoinGroupResponse }
  | { readonly to: ReplyTo; readonly api: 'sync'; readonly response: SyncGroupResponse }
  | { readonly to: ReplyTo; readonly api: 'heartbeat'; readonly response: HeartbeatResponse }
  | { readonly to: ReplyTo; readonly api: 'leave'; readonly response: LeaveGroupResponse };

/**
 * What an operation decided. `records` are already replayed onto the group and must be appended
 * to `__consumer_offsets` as one batch; `replies` go out now, `repliesAfterCommit` once that batch
 * is committed. A request that gets no reply in either list is parked: a later result answers it.
 */
export interface GroupEffects {
  readonly replies: GroupReply[];
  readonly records: GroupMetadataRecord[];
  readonly repliesAfterCommit: GroupReply[];
}

/** Where a request came from, as the network layer saw it. */
export interface RequestContext {
  readonly to: ReplyTo;
  readonly apiVersion: number;
  readonly clientId: string;
  readonly clientHost: string;
  readonly now: number;
}

export interface ClassicGroupMember {
  memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  readonly protocolType: string;
  protocols: JoinGroupRequestProtocol[];
  assignment: Buffer;
  /** The parked JoinGroup of this member, if any. */
  awaitingJoin: ReplyTo | undefined;
  /** The parked SyncGroup of this member, if any. */
  awaitingSync: ReplyTo | undefined;
  /** Joined but not yet through a completed join phase: its session may expire while it waits. */
  isNew: boolean;
}

/** Nothing decided yet: no replies, no records. */
export function emptyEffects(): GroupEffects {
  return { replies: [], records: [], repliesAfterCommit: [] };
}

/** A JoinGroup answer carrying only an error. */
export function joinError(errorCode: number, memberId: string): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: UNKNOWN_MEMBER_ID,
    skipAssignment: false,
    memberId,
    members: [],
  };
}

/** A SyncGroup answer carrying only an error. */
export function syncError(errorCode: number): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT };
}
