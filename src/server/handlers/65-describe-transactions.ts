import type { TransactionCoordinator } from '../../coordinator/txn/transaction-coordinator-driver.js';
import { DescribeTransactionsApi } from '../../protocol/generated/apis.js';
import { createDescribeTransactionsResponseTransactionState } from '../../protocol/generated/clients/describe-transactions-response.js';
import type { ApiHandler } from './handler.js';

/** DescribeTransactions v0: each transactional id's state, producer, timeout and partitions, from its coordinator. */
export function describeTransactionsHandler(transactions: TransactionCoordinator): ApiHandler<65> {
  return {
    api: DescribeTransactionsApi,
    minVersion: 0,
    maxVersion: 0,
    handle(request) {
      return {
        throttleTimeMs: 0,
        transactionStates: request.transactionalIds.map((transactionalId) =>
          transactions.read(
            transactionalId,
            (errorCode) => createDescribeTransactionsResponseTransactionState({ transactionalId, errorCode }),
            (shard) => shard.describeTransaction(transactionalId),
          ),
        ),
      };
    },
  };
}
