import { ClassicGroup } from '../../../src/coordinator/group/classic-group.js';
import { DEFAULT_CLASSIC_GROUP_CONFIG, type ClassicGroupConfig, type GroupEffects, type GroupReply, type ReplyTo } from '../../../src/coordinator/group/classic-group-model.js';
import type { JoinGroupResponse } from '../../../src/protocol/generated/clients/join-group-response.js';
import type { SyncGroupResponse } from '../../../src/protocol/generated/clients/sync-group-response.js';
import type { LeaveGroupResponse } from '../../../src/protocol/generated/clients/leave-group-response.js';
import type { LeaveGroupRequestMemberIdentity } from '../../../src/protocol/generated/clients/leave-group-request.js';
import type { GroupMetadataRecord } from '../../../src/coordinator/group/coordinator-records.js';
import { ManualClock } from '../../../src/util/clock.js';
import { SeededRandom } from '../../../src/util/random.js';

export interface JoinOptions {
  memberId?: string;
  instanceId?: string | null;
  protocols?: readonly string[];
  protocolType?: string;
  version?: number;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  clientId?: string;
}

/** Drives one ClassicGroup with a manual clock, keeping every record it writes. */
export class GroupHarness {
  readonly clock = new ManualClock(1_000_000);
  readonly group: ClassicGroup;
  readonly log: GroupMetadataRecord[] = [];
  private nextTo = 1;

  constructor(readonly config: ClassicGroupConfig = { ...DEFAULT_CLASSIC_GROUP_CONFIG }, seed = 7) {
    this.group = new ClassicGroup('g', config, new SeededRandom(seed));
  }

  private track(fx: GroupEffects): GroupEffects {
    this.log.push(...fx.records);
    return fx;
  }

  join(options: JoinOptions = {}): { to: ReplyTo; fx: GroupEffects } {
    const to = this.nextTo++;
    const version = options.version ?? 9;
    const fx = this.group.joinGroup(
      {
        groupId: 'g',
        sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
        rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 30_000,
        memberId: options.memberId ?? '',
        groupInstanceId: options.instanceId ?? null,
        protocolType: options.protocolType ?? 'consumer',
        protocols: (options.protocols ?? ['range']).map((name) => ({ name, metadata: Buffer.from(`${name}-meta`) })),
        reason: null,
      },
      { to, apiVersion: version, clientId: options.clientId ?? 'client', clientHost: '/10.0.0.1', now: this.clock.now() },
    );
    return { to, fx: this.track(fx) };
  }

  /** A dynamic member through the v4+ MEMBER_ID_REQUIRED round trip; returns its member id and parked join. */
  joinWithId(options: JoinOptions = {}): { memberId: string; to: ReplyTo; fx: GroupEffects } {
    const first = this.join(options);
    const response = joinReply(first.fx, first.to);
    if (response.errorCode !== 79) throw new Error(`expected MEMBER_ID_REQUIRED, got ${response.errorCode}`);
    const second = this.join({ ...options, memberId: response.memberId });
    return { memberId: response.memberId, to: second.to, fx: second.fx };
  }

  sync(
    memberId: string,
    generationId: number,
    assignments: Record<string, string> = {},
    extra: { instanceId?: string | null; protocolType?: string | null; protocolName?: string | null } = {},
  ): { to: ReplyTo; fx: GroupEffects } {
    const to = this.nextTo++;
    const fx = this.group.syncGroup(
      {
        groupId: 'g',
        generationId,
        memberId,
        groupInstanceId: extra.instanceId ?? null,
        protocolType: extra.protocolType ?? null,
        protocolName: extra.protocolName ?? null,
        assignments: Object.entries(assignments).map(([id, text]) => ({ memberId: id, assignment: Buffer.from(text) })),
      },
      this.ctx(to, 5),
    );
    return { to, fx: this.track(fx) };
  }

  heartbeat(memberId: string, generationId: number, instanceId: string | null = null): number {
    const to = this.nextTo++;
    const fx = this.track(this.group.heartbeat({ groupId: 'g', generationId, memberId, groupInstanceId: instanceId }, this.ctx(to, 4)));
    const reply = fx.replies.find((r) => r.to === to);
    if (reply?.api !== 'heartbeat') throw new Error('no heartbeat reply');
    return reply.response.errorCode;
  }

  leave(memberId: string, version = 1): { fx: GroupEffects; response: LeaveGroupResponse } {
    return this.leaveRequest(memberId, [], version);
  }

  leaveBatch(members: Array<Pick<LeaveGroupRequestMemberIdentity, 'memberId' | 'groupInstanceId'>>): {
    fx: GroupEffects;
    response: LeaveGroupResponse;
  } {
    return this.leaveRequest('', members.map((m) => ({ ...m, reason: null })), 5);
  }

  private leaveRequest(
    memberId: string,
    members: LeaveGroupRequestMemberIdentity[],
    version: number,
  ): { fx: GroupEffects; response: LeaveGroupResponse } {
    const to = this.nextTo++;
    const fx = this.track(this.group.leaveGroup({ groupId: 'g', memberId, members }, this.ctx(to, version)));
    const reply = fx.replies.find((r) => r.to === to);
    if (reply?.api !== 'leave') throw new Error('no leave reply');
    return { fx, response: reply.response };
  }

  tick(): GroupEffects {
    return this.track(this.group.tick(this.clock.now()));
  }

  /** Lets the initial rebalance delay pass, extensions included; returns everything that fired. */
  settle(): GroupEffects {
    const all: GroupEffects = { replies: [], records: [], repliesAfterCommit: [] };
    for (let i = 0; i < 20 && this.group.currentState === 'PreparingRebalance'; i++) {
      const fx = this.advance(this.config.initialRebalanceDelayMs);
      all.replies.push(...fx.replies);
      all.records.push(...fx.records);
      all.repliesAfterCommit.push(...fx.repliesAfterCommit);
    }
    return all;
  }

  advance(ms: number): GroupEffects {
    this.clock.advance(ms);
    return this.tick();
  }

  private ctx(to: ReplyTo, apiVersion: number): { to: ReplyTo; apiVersion: number; clientId: string; clientHost: string; now: number } {
    return { to, apiVersion, clientId: 'client', clientHost: '/10.0.0.1', now: this.clock.now() };
  }
}

function find(replies: readonly GroupReply[], to: ReplyTo): GroupReply | undefined {
  return replies.find((r) => r.to === to);
}

export function joinReply(fx: GroupEffects, to: ReplyTo): JoinGroupResponse {
  const reply = find(fx.replies, to);
  if (reply?.api !== 'join') throw new Error(`no join reply to ${to}`);
  return reply.response;
}

export function syncReply(fx: GroupEffects, to: ReplyTo, afterCommit = false): SyncGroupResponse {
  const reply = find(afterCommit ? fx.repliesAfterCommit : fx.replies, to);
  if (reply?.api !== 'sync') throw new Error(`no sync reply to ${to}`);
  return reply.response;
}

export function hasReply(fx: GroupEffects, to: ReplyTo): boolean {
  return find(fx.replies, to) !== undefined || find(fx.repliesAfterCommit, to) !== undefined;
}
