export { NO_PRODUCER_EPOCH, NO_PRODUCER_ID, NO_SEQUENCE } from '../../protocol/records/batch-header.js';

/** RecordBatch.NO_TIMESTAMP. */
export const NO_TIMESTAMP_VALUE = -1;
