import type { TransactionCoordinator } from '../../coordinator/txn/transaction-coordinator-driver.js';
import { legacyFencedError } from '../../coordinator/txn/txn-requests.js';
import { ApiKey, EndTxnApi } from '../../protocol/generated/apis.js';
import type { ApiHandler } from './handler.js';

/**
 * EndTxn v0-4: commits or aborts the producer's transaction. The answer comes once the
 * PrepareCommit / PrepareAbort record is written; the markers follow, and the transaction is
 * complete when every partition has its marker.
 */
export function endTxnHandler(transactions: TransactionCoordinator): ApiHandler<26> {
  return {
    api: EndTxnApi,
    minVersion: 0,
    maxVersion: 4,
    async handle(request, { apiVersion }) {
      const errorCode = await transactions.run(request.transactionalId, (code) => code, (shard, now) => shard.endTxn(request, now));
      return { throttleTimeMs: 0, errorCode: legacyFencedError(ApiKey.EndTxn, apiVersion, errorCode) };
    },
  };
}
