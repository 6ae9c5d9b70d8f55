import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { OffsetCommitApi } from '../../protocol/generated/apis.js';
import type { OffsetCommitRequestTopic } from '../../protocol/generated/clients/offset-commit-request.js';
import type { OffsetCommitResponsePartition } from '../../protocol/generated/clients/offset-commit-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerServices } from '../broker-services.js';
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
      const image = services.image();
      const exists = (topic: string, partition: number): boolean => image.topicsByName.get(topic)?.partitions.has(partition) ?? false;
      const known: OffsetCommitRequestTopic[] = [];
      for (const topic of request.topics) {
        const partitions = topic.partitions.filter((p) => exists(topic.name, p.partitionIndex));
        if (partitions.length > 0) known.push({ ...topic, partitions });
      }
      const committed = new Map<string, number>();
      if (known.length > 0) {
        const failAll = (errorCode: number) => known.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
        const topics = await groups.runWrite(request.groupId, failAll, (shard, now) =>
          shard.commitOffsets({ ...request, topics: known }, apiVersion, now),
        );
        for (const t of topics) for (const p of t.partitions) committed.set(`${t.name}:${p.partitionIndex}`, p.errorCode);
      }
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map(
            (p): OffsetCommitResponsePartition => ({
              partitionIndex: p.partitionIndex,
              errorCode: committed.get(`${topic.name}:${p.partitionIndex}`) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            }),
          ),
        })),
      };
    },
  };
}
