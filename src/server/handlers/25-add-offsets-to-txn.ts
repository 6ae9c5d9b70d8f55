import type { TransactionCoordinator } from '../../coordinator/txn/transaction-coordinator-driver.js';
import { legacyFencedError } from '../../coordinator/txn/txn-requests.js';
import { AddOffsetsToTxnApi, ApiKey } from '../../protocol/generated/apis.js';
import type { ApiHandler } from './handler.js';

/** AddOffsetsToTxn v0-4: adds the group's `__consumer_offsets` partition to the transaction, for TxnOffsetCommit. */
export function addOffsetsToTxnHandler(transactions: TransactionCoordinator, partitionForGroup: (groupId: string) => number): ApiHandler<25> {
  return {
    api: AddOffsetsToTxnApi,
    minVersion: 0,
    maxVersion: 4,
    async handle(request, { apiVersion }) {
      const errorCode = await transactions.run(
        request.transactionalId,
        (code) => code,
        (shard, now) => shard.addOffsetsToTxn(request, now, partitionForGroup),
      );
      return { throttleTimeMs: 0, errorCode: legacyFencedError(ApiKey.AddOffsetsToTxn, apiVersion, errorCode) };
    },
  };
}
