import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { ConsumerGroupDescribeApi } from '../../protocol/generated/apis.js';
import { createConsumerGroupDescribeResponseDescribedGroup } from '../../protocol/generated/clients/consumer-group-describe-response.js';
import { GROUP_OPERATIONS } from '../authorized-operations.js';
import type { ApiHandler } from './handler.js';

/** ConsumerGroupDescribe v0-1 (KIP-848): each consumer-protocol group's epochs, assignor, members and their assignments. */
export function consumerGroupDescribeHandler(groups: GroupCoordinator): ApiHandler<69> {
  return {
    api: ConsumerGroupDescribeApi,
    minVersion: 0,
    maxVersion: 1,
    handle(request) {
      const operations = request.includeAuthorizedOperations ? GROUP_OPERATIONS : null;
      return {
        throttleTimeMs: 0,
        groups: request.groupIds.map((groupId) =>
          groups.read(
            groupId,
            (errorCode) => createConsumerGroupDescribeResponseDescribedGroup({ groupId, errorCode }),
            (shard, topics) => shard.consumerGroupDescribe(groupId, topics, operations),
          ),
        ),
      };
    },
  };
}
