import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { ConsumerGroupHeartbeatApi } from '../../protocol/generated/apis.js';
import type { ConsumerGroupHeartbeatResponse } from '../../protocol/generated/clients/consumer-group-heartbeat-response.js';
import { groupCaller } from '../group-callers.js';
import type { ApiHandler } from './handler.js';

/**
 * ConsumerGroupHeartbeat v0-1 (KIP-848): joins, heartbeats in and leaves a consumer-protocol
 * group; the answer carries the member's epoch and, when it changed, its assignment.
 */
export function consumerGroupHeartbeatHandler(groups: GroupCoordinator): ApiHandler<68> {
  return {
    api: ConsumerGroupHeartbeatApi,
    minVersion: 0,
    maxVersion: 1,
    handle(request, context) {
      const caller = groupCaller(context);
      return groups.runWrite(
        request.groupId,
        (errorCode): ConsumerGroupHeartbeatResponse => ({ throttleTimeMs: 0, errorCode, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null }),
        (shard, now, topics) => shard.consumerGroupHeartbeat(request, { ...caller, now }, topics),
      );
    },
  };
}
