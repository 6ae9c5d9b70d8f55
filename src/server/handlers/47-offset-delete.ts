import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { OffsetDeleteApi } from '../../protocol/generated/apis.js';
import type { ApiHandler } from './handler.js';

/** OffsetDelete v0: removes a group's committed offsets for topics none of its members subscribes to. */
export function offsetDeleteHandler(groups: GroupCoordinator): ApiHandler<47> {
  return {
    api: OffsetDeleteApi,
    minVersion: 0,
    maxVersion: 0,
    async handle(request) {
      const result = await groups.runWrite(
        request.groupId,
        (errorCode) => ({ errorCode, topics: [] }),
        (shard, now) => shard.deleteOffsets(request.groupId, request.topics, now),
      );
      return { throttleTimeMs: 0, ...result };
    },
  };
}
