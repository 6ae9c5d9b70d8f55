import { scanBatches } from '../batch-scan.js';
import type { LogSegment } from '../log-segment.js';
import { ProducerStateManager, type ProducerStateConfig, type SnapshotStore } from './producer-state-manager.js';
import { rebuildProducerState } from './rebuild.js';

export interface TxnIndexRebuildParams {
  /** The log's producer snapshots; only read, never changed. */
  readonly snapshots: SnapshotStore;
  readonly config: ProducerStateConfig;
  readonly partitionName: string;
  readonly segments: readonly LogSegment[];
  /** Index of the first segment whose txn index is rebuilt. */
  readonly from: number;
  /** Index after the last one rebuilt; default: every segment from `from` on. */
  readonly to?: number;
  readonly logStartOffset: number;
}

/**
 * Rebuilds the `.txnindex` of segments from their batches, as Kafka's recoverSegment does: a
 * temporary producer state is loaded up to the first segment (from the newest snapshot at or
 * below it, replaying the batches after that snapshot), then every batch of the segments is
 * applied in turn, and each transaction an ABORT marker ends is indexed with the last stable
 * offset at its marker. The log's own producer state and snapshots are left as they are.
 */
export function rebuildTxnIndexes(params: TxnIndexRebuildParams): void {
  const { segments, from } = params;
  const to = Math.min(params.to ?? segments.length, segments.length);
  if (from >= to) return;
  const manager = new ProducerStateManager(params.partitionName, new ReadOnlySnapshots(params.snapshots), params.config);
  rebuildProducerState(manager, {
    segments,
    logStartOffset: params.logStartOffset,
    lastOffset: segments[from].baseOffset,
    reloadFromCleanShutdown: false,
    // Nothing expires: producers only matter here for the transactions they have open.
    now: 0,
  });
  for (let i = from; i < to; i++) indexSegment(manager, segments[i]);
}

function indexSegment(manager: ProducerStateManager, segment: LogSegment): void {
  segment.txnIndex.reset();
  scanBatches(segment.handle, 0, segment.size, false, (batch) => {
    if (batch.producerId >= 0) {
      const info = manager.prepareUpdate(batch.producerId, 'replication');
      const txn = info.append(batch);
      manager.update(info);
      if (txn !== null) {
        segment.updateTxnIndex(txn, manager.lastStableOffset(txn));
        manager.completeTxn(txn);
      }
    }
    manager.updateMapEndOffset(batch.lastOffset + 1);
    return true;
  });
}

/** The log's snapshots seen by a temporary state: deletions and new snapshots stay in this view. */
class ReadOnlySnapshots implements SnapshotStore {
  private readonly hidden = new Set<number>();

  constructor(private readonly store: SnapshotStore) {}

  offsets(): number[] {
    return this.store.offsets().filter((offset) => !this.hidden.has(offset));
  }

  read(offset: number): Buffer {
    return this.store.read(offset);
  }

  write(): void {}

  delete(offset: number): void {
    this.hidden.add(offset);
  }
}
