import type { ProducerIdManager } from '../../metadata/producer-id-manager.js';
import { InitProducerIdApi } from '../../protocol/generated/apis.js';
import { createInitProducerIdResponse } from '../../protocol/generated/clients/init-producer-id-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '../../protocol/records/batch-header.js';
import { errorCodeOf, isExpectedError } from '../../replication/errors.js';
import type { Logger } from '../../util/logger.js';
import type { ApiHandler } from './handler.js';

/**
 * InitProducerId v0-v5 for idempotent producers (no transactional id): as Kafka's
 * TransactionCoordinator, every request gets a new producer id with epoch 0, also when it names
 * its current id and epoch (v3+, KIP-360): Kafka bumps epochs only for transactional ids. Ids
 * come from blocks the controller allocates.
 *
 * Transactional ids need the transaction coordinator, which Gregor does not have yet: they are
 * answered UNSUPPORTED_VERSION at once, a fatal error every client reports without retrying
 * (a retriable error would make the producer wait out its timeout, a minute in the Java client),
 * and the broker logs why. An empty transactional id is INVALID_REQUEST, as in Kafka.
 */
export function initProducerIdHandler(producerIds: ProducerIdManager, logger: Logger): ApiHandler<22> {
  const failed = (errorCode: number) => createInitProducerIdResponse({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH });
  return {
    api: InitProducerIdApi,
    minVersion: 0,
    maxVersion: 5,
    async handle(request, { header }) {
      const { producerId, producerEpoch, transactionalId } = request;
      // KafkaApis: a producer id without an epoch, or an epoch without an id.
      if ((producerId === NO_PRODUCER_ID) !== (producerEpoch === NO_PRODUCER_EPOCH)) return failed(ErrorCode.INVALID_REQUEST);
      if (transactionalId !== null) {
        if (transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
        logger.warn(
          { transactionalId, clientId: header.clientId },
          'InitProducerId for a transactional id refused with UNSUPPORTED_VERSION: transactions are not supported yet, only idempotent producers',
        );
        return failed(ErrorCode.UNSUPPORTED_VERSION);
      }
      try {
        return createInitProducerIdResponse({ producerId: await producerIds.generateProducerId(), producerEpoch: 0 });
      } catch (err) {
        if (!isExpectedError(err)) logger.error({ err }, 'unexpected error allocating a producer id');
        return failed(errorCodeOf(err));
      }
    },
  };
}
