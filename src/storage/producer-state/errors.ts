import { KafkaError } from '../../util/kafka-error.js';

/** A gap in a producer's sequence numbers, or a new epoch not starting at 0 (retriable for the producer). */
export class OutOfOrderSequenceError extends KafkaError {
  constructor(message: string) {
    super('OUT_OF_ORDER_SEQUENCE_NUMBER', 45, message);
  }
}

/** A producer writing with an epoch older than the partition has seen (a zombie, or a bumped epoch). */
export class InvalidProducerEpochError extends KafkaError {
  constructor(message: string) {
    super('INVALID_PRODUCER_EPOCH', 47, message);
  }
}

/** A non-transactional write from a producer with a transaction open on the partition. */
export class InvalidTxnStateError extends KafkaError {
  constructor(message: string) {
    super('INVALID_TXN_STATE', 48, message);
  }
}

/** An end-transaction marker from a coordinator older than one already seen. */
export class TransactionCoordinatorFencedError extends KafkaError {
  constructor(message: string) {
    super('TRANSACTION_COORDINATOR_FENCED', 52, message);
  }
}

/** A producer snapshot file that cannot be read; it is deleted and the state rebuilt from the log. */
export class CorruptSnapshotError extends Error {}
