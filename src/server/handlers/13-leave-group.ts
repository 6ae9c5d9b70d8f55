import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { LeaveGroupApi } from '../../protocol/generated/apis.js';
import { groupCaller } from '../group-callers.js';
import type { ApiHandler } from './handler.js';

/** LeaveGroup v0-5: one member (v0-2) or a batch of members (v3+, KIP-345) leave a classic group. */
export function leaveGroupHandler(groups: GroupCoordinator): ApiHandler<13> {
  return {
    api: LeaveGroupApi,
    minVersion: 0,
    maxVersion: 5,
    handle(request, context) {
      return groups.runGroupOperation(
        request.groupId,
        groupCaller(context),
        (errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }),
        (shard, ctx) => shard.leaveGroup(request, ctx),
      );
    },
  };
}
