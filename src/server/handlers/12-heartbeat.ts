import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { HeartbeatApi } from '../../protocol/generated/apis.js';
import { groupCaller } from '../group-callers.js';
import type { ApiHandler } from './handler.js';

/** Heartbeat v0-4: keeps a classic group member's session alive and tells it when to rejoin. */
export function heartbeatHandler(groups: GroupCoordinator): ApiHandler<12> {
  return {
    api: HeartbeatApi,
    minVersion: 0,
    maxVersion: 4,
    handle(request, context) {
      return groups.runGroupOperation(
        request.groupId,
        groupCaller(context),
        (errorCode) => ({ throttleTimeMs: 0, errorCode }),
        (shard, ctx) => shard.heartbeat(request, ctx),
      );
    },
  };
}
