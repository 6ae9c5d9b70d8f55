import { decodeLeaderChangeMessage, type LeaderChangeMessage } from '../../src/protocol/generated/clients/leader-change-message.js';
import { Reader } from '../../src/protocol/reader.js';
import { decodeBatchRecords } from '../../src/protocol/records/batch-records.js';
import { ControlRecordType, readControlRecordKey } from '../../src/protocol/records/control-record.js';
import type { CommittedBatch, LeaderAndEpoch, RaftListener, SnapshotReader } from '../../src/raft/raft-client.js';
import { splitRecordBatches } from '../../src/raft/record-batches.js';
import { SingleNodeRaft } from '../../src/raft/single-node-raft.js';
import { MetadataLog, type MetadataLogParams } from '../../src/server/metadata-log.js';
import { ManualClock } from '../../src/util/clock.js';
import type { FileSystem } from '../../src/util/file-system.js';
import { SILENT_LOGGER } from '../../src/util/logger.js';
import { MemoryFileSystem } from '../../src/util/memory-file-system.js';
import { SeededRandom } from '../../src/util/random.js';

export const METADATA_LOG_DIR = '/data/meta';
export const NODE_ID = 1;

/** A clock, an in-memory file system that can crash, and the metadata log and quorum on it. */
export class RaftEnv {
  readonly clock = new ManualClock(1_700_000_000_000);
  readonly fs: MemoryFileSystem;
  readonly fatalErrors: Error[] = [];

  constructor(
    seed = 1,
    private readonly logParams: Partial<MetadataLogParams> = {},
  ) {
    this.fs = new MemoryFileSystem(this.clock, new SeededRandom(seed));
  }

  /** Opens the metadata log as a new process would: its file system dies with the next crash. */
  openLog(fs: FileSystem = this.fs.process()): Promise<MetadataLog> {
    return MetadataLog.open({
      fs,
      metadataLogDir: METADATA_LOG_DIR,
      clock: this.clock,
      segmentBytes: 1024 * 1024 * 1024,
      segmentMs: 7 * 24 * 3600 * 1000,
      ...this.logParams,
    });
  }

  async startRaft(log?: MetadataLog): Promise<SingleNodeRaft> {
    const fs = this.fs.process();
    return SingleNodeRaft.start({
      log: log ?? (await this.openLog(fs)),
      fs,
      nodeId: NODE_ID,
      clock: this.clock,
      logger: SILENT_LOGGER,
      onFatalError: (error) => this.fatalErrors.push(error),
    });
  }
}

/** A listener that keeps everything it is given. */
export class RecordingListener implements RaftListener {
  readonly snapshots: { endOffset: number; epoch: number; values: string[] }[] = [];
  readonly batches: CommittedBatch[] = [];
  readonly leaders: LeaderAndEpoch[] = [];

  handleLoadSnapshot(snapshot: SnapshotReader): void {
    this.snapshots.push({ ...snapshot.id, values: [...snapshot.records()].map((v) => v.toString()) });
  }

  handleCommit(batches: readonly CommittedBatch[]): void {
    this.batches.push(...batches);
  }

  handleLeaderChange(leader: LeaderAndEpoch): void {
    this.leaders.push(leader);
  }

  /** The data batches' records as strings, one array per batch. */
  get dataBatches(): string[][] {
    return this.batches.filter((b) => !b.isControl).map((b) => b.records.map((r) => r.toString()));
  }
}

export function values(...texts: string[]): Buffer[] {
  return texts.map((t) => Buffer.from(t));
}

/** The LeaderChangeMessage of each LeaderChange control batch in `bytes`, with the batch's offset and epoch. */
export function leaderChanges(bytes: Buffer): { offset: number; epoch: number; message: LeaderChangeMessage }[] {
  return splitRecordBatches(bytes).flatMap((batch) => {
    if (!batch.isControl) return [];
    const [record] = decodeBatchRecords(batch);
    if (readControlRecordKey(record.key).type !== ControlRecordType.LeaderChange) return [];
    return [{ offset: batch.baseOffset, epoch: batch.partitionLeaderEpoch, message: decodeLeaderChangeMessage(new Reader(record.value!), 0) }];
  });
}

/** Every batch of the log, read through the port. */
export function readWholeLog(log: MetadataLog): Buffer {
  const chunks: Buffer[] = [];
  let offset = log.startOffset;
  while (offset < log.endOffset) {
    const bytes = log.read(offset, log.endOffset, 1 << 20);
    if (bytes.length === 0) break;
    chunks.push(bytes);
    const batches = splitRecordBatches(bytes);
    offset = batches[batches.length - 1].lastOffset + 1;
  }
  return Buffer.concat(chunks);
}
