import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { TxnOffsetCommitApi } from '../../protocol/generated/apis.js';
import type { TxnOffsetCommitRequestTopic } from '../../protocol/generated/clients/txn-offset-commit-request.js';
import type { TxnOffsetCommitResponse, TxnOffsetCommitResponsePartition } from '../../protocol/generated/clients/txn-offset-commit-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerServices } from '../broker-services.js';
import type { ApiHandler } from './handler.js';

/** Clients before v2 (Kafka 0.11 to 2.0) do not expect COORDINATOR_LOAD_IN_PROGRESS (KAFKA-7296). */
const FIRST_LOAD_IN_PROGRESS_VERSION = 2;

/**
 * TxnOffsetCommit v0-4 (Kafka's KafkaApis.handleTxnOffsetCommitRequest): offsets a transactional
 * producer commits for a group, visible to OffsetFetch only once its transaction commits.
 * Partitions of topics that do not exist answer UNKNOWN_TOPIC_OR_PARTITION; the rest go to the
 * group's coordinator, which checks the member and generation (v3+), writes them to
 * `__consumer_offsets` in a transactional batch of the producer and answers once it is committed.
 * Before v2, COORDINATOR_LOAD_IN_PROGRESS is answered as COORDINATOR_NOT_AVAILABLE, as Kafka does.
 */
export function txnOffsetCommitHandler(services: BrokerServices, groups: GroupCoordinator): ApiHandler<28> {
  return {
    api: TxnOffsetCommitApi,
    minVersion: 0,
    maxVersion: 4,
    async handle(request, { apiVersion }): Promise<TxnOffsetCommitResponse> {
      const image = services.image();
      const exists = (topic: string, partition: number): boolean => image.topicsByName.get(topic)?.partitions.has(partition) ?? false;
      const known: TxnOffsetCommitRequestTopic[] = [];
      for (const topic of request.topics) {
        const partitions = topic.partitions.filter((p) => exists(topic.name, p.partitionIndex));
        if (partitions.length > 0) known.push({ ...topic, partitions });
      }
      const committed = new Map<string, number>();
      if (known.length > 0) {
        const failAll = (errorCode: number) => known.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
        const topics =
          request.groupId === ''
            ? failAll(ErrorCode.INVALID_GROUP_ID)
            : await groups.runTransactionalWrite(request.groupId, failAll, (shard, now) =>
                shard.commitTransactionalOffsets({ ...request, topics: known }, apiVersion, now),
              );
        for (const t of topics) for (const p of t.partitions) committed.set(`${t.name}:${p.partitionIndex}`, p.errorCode);
      }
      const errorOf = (topic: string, partition: number): number => {
        const errorCode = committed.get(`${topic}:${partition}`) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        return apiVersion < FIRST_LOAD_IN_PROGRESS_VERSION && errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.COORDINATOR_NOT_AVAILABLE : errorCode;
      };
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map(
            (p): TxnOffsetCommitResponsePartition => ({ partitionIndex: p.partitionIndex, errorCode: errorOf(topic.name, p.partitionIndex) }),
          ),
        })),
      };
    },
  };
}
