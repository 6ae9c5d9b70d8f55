import type { TransactionCoordinator } from '../../coordinator/txn/transaction-coordinator-driver.js';
import { legacyFencedError } from '../../coordinator/txn/txn-requests.js';
import type { ProducerIdManager } from '../../metadata/producer-id-manager.js';
import { ApiKey, InitProducerIdApi } from '../../protocol/generated/apis.js';
import { createInitProducerIdResponse } from '../../protocol/generated/clients/init-producer-id-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '../../protocol/records/batch-header.js';
import { errorCodeOf, isExpectedError } from '../../replication/errors.js';
import type { Logger } from '../../util/logger.js';
import type { ApiHandler } from './handler.js';

/**
 * InitProducerId v0-v5. Without a transactional id (idempotent producers), as Kafka's
 * TransactionCoordinator, every request gets a new producer id with epoch 0, also when it names
 * its current id and epoch (v3+, KIP-360): Kafka bumps epochs only for transactional ids. A
 * transactional id goes to its transaction coordinator, which fences the previous producer of
 * the id (a new epoch, or a new id once the epoch is exhausted) and aborts its open transaction.
 * Ids come from blocks the controller allocates; an empty transactional id is INVALID_REQUEST.
 */
export function initProducerIdHandler(producerIds: ProducerIdManager, transactions: TransactionCoordinator, logger: Logger): ApiHandler<22> {
  const failed = (errorCode: number) => createInitProducerIdResponse({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH });
  return {
    api: InitProducerIdApi,
    minVersion: 0,
    maxVersion: 5,
    async handle(request, { apiVersion }) {
      const { producerId, producerEpoch, transactionalId } = request;
      // KafkaApis: a producer id without an epoch, or an epoch without an id.
      if ((producerId === NO_PRODUCER_ID) !== (producerEpoch === NO_PRODUCER_EPOCH)) return failed(ErrorCode.INVALID_REQUEST);
      if (transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
      let newProducerId: number;
      try {
        newProducerId = await producerIds.generateProducerId();
      } catch (err) {
        if (!isExpectedError(err)) logger.error({ err }, 'unexpected error allocating a producer id');
        return failed(errorCodeOf(err));
      }
      if (transactionalId === null) return createInitProducerIdResponse({ producerId: newProducerId, producerEpoch: 0 });
      // The id is drawn before the shard decides whether it needs one: a fenced epoch keeps the
      // producer id, and the drawn id is then never used.
      const result = await transactions.run(
        transactionalId,
        (errorCode) => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH }),
        (shard, now) => shard.initProducerId(request, now, () => newProducerId),
      );
      return createInitProducerIdResponse({ ...result, errorCode: legacyFencedError(ApiKey.InitProducerId, apiVersion, result.errorCode) });
    },
  };
}
