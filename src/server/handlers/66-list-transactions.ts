import type { TransactionCoordinator } from '../../coordinator/txn/transaction-coordinator-driver.js';
import { transactionStateFromName } from '../../coordinator/txn/transaction-metadata.js';
import { ListTransactionsApi } from '../../protocol/generated/apis.js';
import type { ApiHandler } from './handler.js';

/** ListTransactions v0-1: the transactions of every coordinator partition this broker leads, filtered by state, producer id and (v1) duration. */
export function listTransactionsHandler(transactions: TransactionCoordinator, now: () => number): ApiHandler<66> {
  return {
    api: ListTransactionsApi,
    minVersion: 0,
    maxVersion: 1,
    handle(request, { apiVersion }) {
      const { shards, loadingError } = transactions.activeShards();
      const filters = {
        stateFilters: request.stateFilters,
        producerIdFilters: request.producerIdFilters,
        durationFilter: apiVersion >= 1 ? request.durationFilter : -1,
      };
      const listed = shards.map((shard) => shard.listTransactions(filters, now()));
      return {
        throttleTimeMs: 0,
        errorCode: loadingError,
        unknownStateFilters: request.stateFilters.filter((name) => transactionStateFromName(name) === undefined),
        transactionStates: listed.flatMap((l) => l.transactionStates),
      };
    },
  };
}
