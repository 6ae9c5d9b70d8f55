import type { RecordBatchHeader } from '../../protocol/records/batch-header.js';
import { scanBatches } from '../batch-scan.js';
import type { LogSegment } from '../log-segment.js';
import type { CompletedTxn, ProducerAppendInfo } from './producer-append-info.js';
import type { ProducerStateManager } from './producer-state-manager.js';

export interface RebuildParams {
  readonly segments: readonly LogSegment[];
  readonly logStartOffset: number;
  /** The state is rebuilt up to here (exclusive): the log end, or a truncation point. */
  readonly lastOffset: number;
  /** At load after a clean shutdown: a log without snapshots predates producer state and is not scanned. */
  readonly reloadFromCleanShutdown: boolean;
  readonly now: number;
}

/**
 * Kafka's rebuildProducerState: reloads the state from the newest snapshot at or below
 * `lastOffset` and replays the batches after it, taking snapshots at the start of the last two
 * segments on the way (so a later truncation does not scan far) and at `lastOffset`. Without
 * any snapshot after a clean shutdown, the log was written before producer state existed: empty
 * snapshots are taken instead of a scan of the whole log, as Kafka does on upgrade.
 */
export function rebuildProducerState(manager: ProducerStateManager, params: RebuildParams): void {
  const { segments, logStartOffset, lastOffset, now } = params;
  const offsetsToSnapshot = new Set<number>();
  if (segments.length > 1) offsetsToSnapshot.add(segments[segments.length - 2].baseOffset);
  if (segments.length > 0) offsetsToSnapshot.add(segments[segments.length - 1].baseOffset);
  offsetsToSnapshot.add(lastOffset);

  if (params.reloadFromCleanShutdown && manager.latestSnapshotOffset() === null) {
    for (const offset of [...offsetsToSnapshot].sort((a, b) => a - b)) {
      manager.updateMapEndOffset(offset);
      manager.takeSnapshot();
    }
    return;
  }
  const isEmptyBeforeTruncation = manager.isEmpty && manager.mapEndOffset >= lastOffset;
  manager.truncateAndReload(logStartOffset, lastOffset, now);
  if (lastOffset > manager.mapEndOffset && !isEmptyBeforeTruncation) {
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      const segmentEnd = segments[i + 1]?.baseOffset ?? Infinity;
      if (segmentEnd <= manager.mapEndOffset || segment.baseOffset >= lastOffset) continue;
      const startOffset = Math.max(segment.baseOffset, manager.mapEndOffset, logStartOffset);
      manager.updateMapEndOffset(startOffset);
      if (offsetsToSnapshot.has(segment.baseOffset)) manager.takeSnapshot();
      replaySegment(manager, segment, startOffset, lastOffset);
    }
  }
  manager.updateMapEndOffset(lastOffset);
  manager.takeSnapshot();
}

/** Applies the producer batches of a segment in [startOffset, lastOffset) without checks (Kafka's loadProducersFromRecords). */
function replaySegment(manager: ProducerStateManager, segment: LogSegment, startOffset: number, lastOffset: number): void {
  const start = startOffset <= segment.baseOffset ? 0 : segment.translateOffset(startOffset)?.position;
  if (start === undefined) return;
  const appends = new Map<number, ProducerAppendInfo>();
  const completed: CompletedTxn[] = [];
  scanBatches(segment.handle, start, segment.size, false, (batch: RecordBatchHeader) => {
    if (batch.lastOffset >= lastOffset) return false;
    if (batch.lastOffset < startOffset || batch.producerId < 0) return true;
    const txn = applyBatch(manager, appends, batch, 'replication');
    if (txn !== null) completed.push(txn);
    return true;
  });
  for (const info of appends.values()) manager.update(info);
  for (const txn of completed) manager.completeTxn(txn);
}

/** Adds a batch with a producer id to that producer's accumulated append (Kafka's updateProducers). */
export function applyBatch(
  manager: ProducerStateManager,
  appends: Map<number, ProducerAppendInfo>,
  batch: RecordBatchHeader,
  origin: Parameters<ProducerStateManager['prepareUpdate']>[1],
  producerId = batch.producerId,
): CompletedTxn | null {
  let info = appends.get(producerId);
  if (info === undefined) {
    info = manager.prepareUpdate(producerId, origin);
    appends.set(producerId, info);
  }
  return info.append(batch);
}
