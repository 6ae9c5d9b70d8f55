import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { DeleteGroupsApi } from '../../protocol/generated/apis.js';
import type { ApiHandler } from './handler.js';

/** DeleteGroups v0-2: an empty group goes, with its committed offsets; one with members answers NON_EMPTY_GROUP. */
export function deleteGroupsHandler(groups: GroupCoordinator): ApiHandler<42> {
  return {
    api: DeleteGroupsApi,
    minVersion: 0,
    maxVersion: 2,
    async handle(request) {
      const results = await Promise.all(
        request.groupsNames.map(async (groupId) => {
          const [result] = await groups.runWrite(groupId, (errorCode) => [{ groupId, errorCode }], (shard, now) => shard.deleteGroups([groupId], now));
          return result;
        }),
      );
      return { throttleTimeMs: 0, results };
    },
  };
}
