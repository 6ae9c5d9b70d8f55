import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { ListGroupsApi } from '../../protocol/generated/apis.js';
import type { ApiHandler } from './handler.js';

/** ListGroups v0-5: the groups of every coordinator partition this broker leads, filtered by state (v4+) and type (v5+). */
export function listGroupsHandler(groups: GroupCoordinator): ApiHandler<16> {
  return {
    api: ListGroupsApi,
    minVersion: 0,
    maxVersion: 5,
    handle(request, { apiVersion }) {
      const { shards, loadingError } = groups.activeShards();
      const states = apiVersion >= 4 ? request.statesFilter : [];
      const types = apiVersion >= 5 ? request.typesFilter : [];
      return {
        throttleTimeMs: 0,
        errorCode: loadingError,
        groups: shards.flatMap((shard) => shard.listGroups(states, types)),
      };
    },
  };
}
