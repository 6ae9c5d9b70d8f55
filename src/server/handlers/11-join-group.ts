import { joinError } from '../../coordinator/group/classic-group-model.js';
import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { JoinGroupApi } from '../../protocol/generated/apis.js';
import { groupCaller } from '../group-callers.js';
import type { ApiHandler } from './handler.js';

const FIRST_NULLABLE_PROTOCOL_NAME_VERSION = 7;

/** JoinGroup v0-9: joins a classic group; the answer waits until the group's join phase completes. */
export function joinGroupHandler(groups: GroupCoordinator): ApiHandler<11> {
  return {
    api: JoinGroupApi,
    minVersion: 0,
    maxVersion: 9,
    async handle(request, context) {
      const response = await groups.runGroupOperation(
        request.groupId,
        groupCaller(context),
        (errorCode) => joinError(errorCode, request.memberId),
        (shard, ctx) => shard.joinGroup(request, ctx),
      );
      // The protocol name is nullable from v7 only; Kafka answers older versions with "" instead.
      return context.apiVersion < FIRST_NULLABLE_PROTOCOL_NAME_VERSION && response.protocolName === null ? { ...response, protocolName: '' } : response;
    },
  };
}
