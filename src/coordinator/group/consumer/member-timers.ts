/** A member's session expiry, or its deadline to revoke partitions at `memberEpoch`. */
export type MemberTimer =
  | { readonly kind: 'session'; readonly groupId: string; readonly memberId: string; readonly deadline: number }
  | { readonly kind: 'rebalance'; readonly groupId: string; readonly memberId: string; readonly deadline: number; readonly memberEpoch: number };

import { TimerQueue } from '../../../util/timer-queue.js';

/**
 * The pending deadlines of the members of a partition's consumer groups, at most one of each kind
 * per member: scheduling again replaces the previous one, as Kafka's timer does for a key.
 */
export class MemberTimers {
  private readonly timers = new TimerQueue<MemberTimer>();

  scheduleSession(groupId: string, memberId: string, deadline: number): void {
    this.set({ kind: 'session', groupId, memberId, deadline });
  }

  scheduleRebalance(groupId: string, memberId: string, memberEpoch: number, deadline: number): void {
    this.set({ kind: 'rebalance', groupId, memberId, deadline, memberEpoch });
  }

  cancelRebalance(groupId: string, memberId: string): void {
    this.timers.delete(key('rebalance', groupId, memberId));
  }

  cancelAll(groupId: string, memberId: string): void {
    this.timers.delete(key('session', groupId, memberId));
    this.cancelRebalance(groupId, memberId);
  }

  nextDeadline(): number | undefined {
    return this.timers.nextDeadline();
  }

  /** Removes and returns the earliest timer due at `now` (the first scheduled among equals). */
  takeDue(now: number): MemberTimer | undefined {
    return this.timers.takeDue(now);
  }

  private set(timer: MemberTimer): void {
    this.timers.set(key(timer.kind, timer.groupId, timer.memberId), timer.deadline, timer);
  }
}

function key(kind: MemberTimer['kind'], groupId: string, memberId: string): string {
  return `${kind}\u0000${groupId}\u0000${memberId}`;
}
