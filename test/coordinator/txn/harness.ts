import {
  DEFAULT_TRANSACTION_COORDINATOR_CONFIG,
  type MarkerRequest,
  type TransactionCoordinatorConfig,
  TransactionCoordinatorShard,
  type TxnResult,
} from '../../../src/coordinator/txn/transaction-shard.js';
import type { TopicPartition } from '../../../src/coordinator/txn/transaction-metadata.js';
import { decodeTxnRecord, encodeTxnRecord } from '../../../src/coordinator/txn/txn-record-serde.js';
import type { TxnRecord } from '../../../src/coordinator/txn/txn-records.js';

export const COORDINATOR_EPOCH = 3;

export const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

/**
 * Drives one TransactionCoordinatorShard with a plain-number clock and a counting producer id
 * allocator, keeping every record it decides (the partition's log) and every marker request.
 */
export class TxnHarness {
  now = 1_000_000;
  nextProducerId = 1000;
  /** When false, the allocator fails (Kafka's ProducerIdManager without a block). */
  canAllocate = true;
  readonly shard: TransactionCoordinatorShard;
  readonly log: TxnRecord[] = [];
  readonly markers: MarkerRequest[] = [];

  constructor(readonly config: TransactionCoordinatorConfig = DEFAULT_TRANSACTION_COORDINATOR_CONFIG) {
    this.shard = new TransactionCoordinatorShard(config, COORDINATOR_EPOCH);
    this.shard.onLoaded(this.now);
  }

  readonly allocate = (): number | null => (this.canAllocate ? this.nextProducerId++ : null);

  track<T>(result: TxnResult<T>): TxnResult<T> {
    this.log.push(...result.records);
    this.markers.push(...result.markers);
    return result;
  }

  advance(ms: number): void {
    this.now += ms;
  }

  init(transactionalId: string | null, opts: { timeoutMs?: number; producerId?: number; producerEpoch?: number } = {}) {
    return this.track(
      this.shard.initProducerId(
        {
          transactionalId,
          transactionTimeoutMs: opts.timeoutMs ?? 60_000,
          producerId: opts.producerId ?? -1,
          producerEpoch: opts.producerEpoch ?? -1,
        },
        this.now,
        this.allocate,
      ),
    );
  }

  /** InitProducerId that must succeed; returns the producer id and epoch. */
  initOk(transactionalId: string, opts: { timeoutMs?: number; producerId?: number; producerEpoch?: number } = {}) {
    const r = this.init(transactionalId, opts);
    if (r.response.errorCode !== 0) throw new Error(`InitProducerId failed with ${r.response.errorCode}`);
    return { producerId: r.response.producerId, producerEpoch: r.response.producerEpoch };
  }

  add(transactionalId: string, p: { producerId: number; producerEpoch: number }, partitions: TopicPartition[]) {
    return this.track(this.shard.addPartitionsToTxn({ transactionalId, ...p, partitions }, this.now));
  }

  addOffsets(transactionalId: string, p: { producerId: number; producerEpoch: number }, groupId: string) {
    return this.track(this.shard.addOffsetsToTxn({ transactionalId, ...p, groupId }, this.now, (g) => g.length % 50));
  }

  end(transactionalId: string, p: { producerId: number; producerEpoch: number }, committed: boolean) {
    return this.track(this.shard.endTxn({ transactionalId, ...p, committed }, this.now));
  }

  /** Reports every marker of a request written. */
  written(marker: MarkerRequest, partitions?: TopicPartition[]) {
    return this.track(
      this.shard.markersWritten(
        marker.transactionalId,
        {
          producerId: marker.producerId,
          producerEpoch: marker.producerEpoch,
          coordinatorEpoch: marker.coordinatorEpoch,
          result: marker.result,
          partitions,
        },
        this.now,
      ),
    );
  }

  tick() {
    return this.track(this.shard.tick(this.now));
  }

  /** A new shard built by replaying the log through the serde, as a restart does. */
  reloaded(): TransactionCoordinatorShard {
    const shard = new TransactionCoordinatorShard(this.config, COORDINATOR_EPOCH + 1);
    for (const record of this.log) {
      const { key, value } = encodeTxnRecord(record);
      shard.replay(decodeTxnRecord(key, value)!);
    }
    return shard;
  }

  /** What a client can observe: describe of every id ever seen, and the unfiltered list. */
  observe(shard: TransactionCoordinatorShard = this.shard) {
    const ids = [...new Set(this.log.map((r) => r.key.transactionalId))].sort();
    const list = shard.listTransactions({ stateFilters: [], producerIdFilters: [] }, this.now).transactionStates;
    return {
      describe: shard.describeTransactions(ids),
      list: [...list].sort((a, b) => a.transactionalId.localeCompare(b.transactionalId)),
    };
  }
}
