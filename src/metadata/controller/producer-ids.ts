import type { AllocateProducerIdsRequest } from '../../protocol/generated/clients/allocate-producer-ids-request.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { createProducerIdsRecord } from '../../protocol/generated/metadata/producer-ids-record.js';
import { MetadataRecordType } from '../../protocol/generated/records.js';
import type { MetadataImage } from '../image.js';
import { type ApiError, NO_ERROR, thrownApiError } from './api-error.js';
import { brokerEpochError } from './cluster.js';
import { type ControllerResult, metadataRecord } from './records.js';

/** How many producer ids one AllocateProducerIds hands a broker (ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

/** A block of producer ids for a broker's transaction coordinator, or the error. */
export interface ProducerIdBlock {
  readonly error: ApiError;
  readonly producerIdStart: number;
  readonly producerIdLen: number;
}

/**
 * AllocateProducerIds (Kafka's ProducerIdControlManager.generateNextProducerId): the next block
 * of ids, recorded by a ProducerIdsRecord naming the first id of the block after it. Ids are
 * JavaScript numbers, so the ids run out at Number.MAX_SAFE_INTEGER rather than int64's maximum.
 */
export function allocateProducerIds(
  image: MetadataImage,
  { brokerId, brokerEpoch }: AllocateProducerIdsRequest,
): ControllerResult<ProducerIdBlock> {
  const refused = (error: ApiError) => ({ response: { error, producerIdStart: 0, producerIdLen: 0 }, records: [] });
  const epochError = brokerEpochError(image, brokerId, brokerEpoch);
  if (epochError !== null) return refused(epochError);
  const start = image.nextProducerId;
  if (start > Number.MAX_SAFE_INTEGER - PRODUCER_ID_BLOCK_SIZE) {
    return refused(thrownApiError(ErrorCode.UNKNOWN_SERVER_ERROR));
  }
  return {
    response: { error: NO_ERROR, producerIdStart: start, producerIdLen: PRODUCER_ID_BLOCK_SIZE },
    records: [
      metadataRecord(
        MetadataRecordType.ProducerIdsRecord,
        createProducerIdsRecord({ brokerId, brokerEpoch, nextProducerId: start + PRODUCER_ID_BLOCK_SIZE }),
      ),
    ],
  };
}
