import type { TransactionCoordinator } from '../../coordinator/txn/transaction-coordinator-driver.js';
import {
  addPartitionsErrorResult,
  addPartitionsToTxnResponse,
  addPartitionsToTxnResult,
  addPartitionsToTxnTransactions,
  legacyFencedError,
  rejectedPartitions,
} from '../../coordinator/txn/txn-requests.js';
import { AddPartitionsToTxnApi, ApiKey } from '../../protocol/generated/apis.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerServices } from '../broker-services.js';
import type { ApiHandler } from './handler.js';

/**
 * AddPartitionsToTxn v0-5: a producer adds partitions to its ongoing transaction (v0-3, one
 * transaction), or brokers verify a batch of transactions (v4+, `verifyOnly`). Partitions of
 * unknown topics fail the transaction's request before the coordinator sees it, as in Kafka.
 */
export function addPartitionsToTxnHandler(services: BrokerServices, transactions: TransactionCoordinator): ApiHandler<24> {
  return {
    api: AddPartitionsToTxnApi,
    minVersion: 0,
    maxVersion: 5,
    async handle(request, { apiVersion }) {
      const image = services.image();
      const exists = (topic: string, partition: number): boolean => image.topicsByName.get(topic)?.partitions.has(partition) ?? false;
      const results = await Promise.all(
        addPartitionsToTxnTransactions(request, apiVersion).map(async (transaction) => {
          const rejected = rejectedPartitions(transaction, (tp) => (exists(tp.topic, tp.partition) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
          if (rejected !== null) return addPartitionsToTxnResult(transaction.transactionalId, rejected);
          const failed = (errorCode: number) => transaction.partitions.map((tp) => ({ ...tp, errorCode }));
          const partitions = await transactions.run(transaction.transactionalId, failed, (shard, now) => shard.addPartitionsToTxnTransaction(transaction, now));
          const translated = partitions.map((p) => ({ ...p, errorCode: legacyFencedError(ApiKey.AddPartitionsToTxn, apiVersion, p.errorCode) }));
          return translated.length > 0 ? addPartitionsToTxnResult(transaction.transactionalId, translated) : addPartitionsErrorResult(transaction, ErrorCode.NONE);
        }),
      );
      return addPartitionsToTxnResponse(apiVersion, results);
    },
  };
}
