import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { OffsetCommitApi } from '../../protocol/generated/apis.js';
import type { BrokerServices } from '../broker-services.js';
import { commitExistingPartitions } from '../offset-commit-partitions.js';
import type { ApiHandler } from './handler.js';

/**
 * OffsetCommit v0-9: partitions of topics that do not exist answer UNKNOWN_TOPIC_OR_PARTITION (as
 * Kafka's KafkaApis does), the rest are committed by the group's coordinator, which answers once
 * the offsets are written to `__consumer_offsets`.
 */
export function offsetCommitHandler(services: BrokerServices, groups: GroupCoordinator): ApiHandler<8> {
  return {
    api: OffsetCommitApi,
    minVersion: 0,
    maxVersion: 9,
    async handle(request, { apiVersion }) {
      const topics = await commitExistingPartitions(services.image(), request.topics, (existing, failAll) =>
        groups.runWrite(request.groupId, failAll, (shard, now) => shard.commitOffsets({ ...request, topics: existing }, apiVersion, now)),
      );
      return { throttleTimeMs: 0, topics };
    },
  };
}
