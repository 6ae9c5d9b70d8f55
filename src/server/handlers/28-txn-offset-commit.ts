import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import { TxnOffsetCommitApi } from '../../protocol/generated/apis.js';
import type { TxnOffsetCommitResponse } from '../../protocol/generated/clients/txn-offset-commit-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerServices } from '../broker-services.js';
import { commitExistingPartitions } from '../offset-commit-partitions.js';
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
      const topics = await commitExistingPartitions(services.image(), request.topics, (existing, failAll) =>
        request.groupId === ''
          ? Promise.resolve(failAll(ErrorCode.INVALID_GROUP_ID))
          : groups.runTransactionalWrite(request.groupId, failAll, (shard, now) =>
              shard.commitTransactionalOffsets({ ...request, topics: existing }, apiVersion, now),
            ),
      );
      if (apiVersion < FIRST_LOAD_IN_PROGRESS_VERSION) {
        for (const topic of topics) {
          for (const p of topic.partitions) if (p.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) p.errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
        }
      }
      return { throttleTimeMs: 0, topics };
    },
  };
}
