import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { DescribeGroupsApi } from '../../protocol/generated/apis.js';
import type { DescribeGroupsResponseDescribedGroup } from '../../protocol/generated/clients/describe-groups-response.js';
import { AUTHORIZED_OPERATIONS_OMITTED, GROUP_OPERATIONS } from '../authorized-operations.js';
import type { ApiHandler } from './handler.js';

/** DescribeGroups v0-5: each classic group's state, protocol and members, from its coordinator. */
export function describeGroupsHandler(groups: GroupCoordinator): ApiHandler<15> {
  return {
    api: DescribeGroupsApi,
    minVersion: 0,
    maxVersion: 5,
    handle(request, { apiVersion }) {
      const operations = apiVersion >= 3 && request.includeAuthorizedOperations ? GROUP_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED;
      return {
        throttleTimeMs: 0,
        groups: request.groups.map((groupId) =>
          groups.read(
            groupId,
            (errorCode): DescribeGroupsResponseDescribedGroup => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: operations }),
            (shard) => shard.describeGroup(groupId, operations),
          ),
        ),
      };
    },
  };
}
