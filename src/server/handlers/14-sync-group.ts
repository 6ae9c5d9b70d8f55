import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { SyncGroupApi } from '../../protocol/generated/apis.js';
import { groupCaller } from '../group-callers.js';
import type { ApiHandler } from './handler.js';

/** SyncGroup v0-5: the leader hands in the assignment; every member waits for its own part. */
export function syncGroupHandler(groups: GroupCoordinator): ApiHandler<14> {
  return {
    api: SyncGroupApi,
    minVersion: 0,
    maxVersion: 5,
    handle(request, context) {
      return groups.runGroupOperation(
        request.groupId,
        groupCaller(context),
        (errorCode) => ({ throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) }),
        (shard, ctx) => shard.syncGroup(request, ctx),
      );
    },
  };
}
