import path from 'node:path';
import { DecodeError } from '../protocol/decode-error.js';
import { BATCH_HEADER, LOG_OVERHEAD, RecordBatchHeader } from '../protocol/records/batch-header.js';
import { decodeBatchRecords } from '../protocol/records/batch-records.js';
import { ControlRecordType, readControlRecordKey } from '../protocol/records/control-record.js';
import type { BatchRecord } from '../protocol/records/record.js';
import { type FileHandle, type FileSystem, readFully } from '../util/file-system.js';
import { buildSnapshotFooterBatch, buildSnapshotHeaderBatch, readSnapshotHeader } from './control-batches.js';
import { CorruptRaftLogError, type SnapshotId, type SnapshotReader } from './raft-client.js';
import { buildDataBatch } from './record-batches.js';

const SNAPSHOT_SUFFIX = '.checkpoint';
/** Kafka's names for a snapshot being written and one being deleted. */
const PARTIAL_SUFFIX = '.checkpoint.part';
const DELETED_SUFFIX = '.checkpoint.deleted';
const SNAPSHOT_NAME = /^(\d{20})-(\d{10})\.checkpoint$/;
/** Data batches of a snapshot are cut at about this size. */
const SNAPSHOT_BATCH_BYTES = 1024 * 1024;

/** Kafka's snapshot file name: `<end offset, 20 digits>-<epoch, 10 digits>.checkpoint`. */
export function snapshotFileName(id: SnapshotId): string {
  return `${String(id.endOffset).padStart(20, '0')}-${String(id.epoch).padStart(10, '0')}${SNAPSHOT_SUFFIX}`;
}

export function parseSnapshotFileName(name: string): SnapshotId | null {
  const match = SNAPSHOT_NAME.exec(name);
  if (match === null) return null;
  const endOffset = Number(match[1]);
  const epoch = Number(match[2]);
  return Number.isSafeInteger(endOffset) && epoch <= 0x7fffffff ? { endOffset, epoch } : null;
}

/**
 * The snapshots in a Raft partition directory (Kafka's Snapshots and FileRawSnapshotWriter). A
 * file holds record batches: a control batch with the SnapshotHeaderRecord at offset 0, the data
 * batches, and a control batch with the SnapshotFooterRecord, all stamped with the snapshot's
 * epoch. It is written as `.checkpoint.part`, fsynced, renamed and the directory fsynced, so a
 * `.checkpoint` file is always complete.
 */
export class SnapshotFiles {
  constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
  ) {}

  /** Removes what an interrupted write or deletion left, as Kafka does when it opens the log. */
  removeLeftovers(): void {
    for (const name of this.fs.readdir(this.dir)) {
      if (name.endsWith(PARTIAL_SUFFIX) || name.endsWith(DELETED_SUFFIX)) this.fs.unlink(path.join(this.dir, name));
    }
  }

  /** Every snapshot, oldest first. */
  list(): SnapshotId[] {
    return this.fs
      .readdir(this.dir)
      .map(parseSnapshotFileName)
      .filter((id): id is SnapshotId => id !== null)
      .sort((a, b) => a.endOffset - b.endOffset || a.epoch - b.epoch);
  }

  latest(): SnapshotId | null {
    return this.list().at(-1) ?? null;
  }

  pathOf(id: SnapshotId): string {
    return path.join(this.dir, snapshotFileName(id));
  }

  async write(id: SnapshotId, lastContainedLogTimestamp: number, records: Iterable<Buffer>, now: number): Promise<void> {
    const partial = path.join(this.dir, snapshotFileName(id).replace(SNAPSHOT_SUFFIX, PARTIAL_SUFFIX));
    const file = this.fs.open(partial, 'create');
    try {
      let position = 0;
      const append = (batch: Buffer) => {
        file.write(batch, position);
        position += batch.length;
      };
      append(buildSnapshotHeaderBatch(id.epoch, lastContainedLogTimestamp, now));
      let nextOffset = 1;
      let chunk: Buffer[] = [];
      let chunkBytes = 0;
      const flushChunk = () => {
        if (chunk.length === 0) return;
        append(buildDataBatch(chunk, id.epoch, now, nextOffset));
        nextOffset += chunk.length;
        chunk = [];
        chunkBytes = 0;
      };
      for (const record of records) {
        chunk.push(record);
        chunkBytes += record.length;
        if (chunkBytes >= SNAPSHOT_BATCH_BYTES) flushChunk();
      }
      flushChunk();
      append(buildSnapshotFooterBatch(id.epoch, now, nextOffset));
      await file.sync();
    } finally {
      file.close();
    }
    this.fs.rename(partial, this.pathOf(id));
    await this.fs.syncDir(this.dir);
  }

  delete(id: SnapshotId): void {
    this.fs.unlink(this.pathOf(id));
  }

  /** Opens a snapshot, reading its header at once; a missing or bad header is a CorruptRaftLogError. */
  open(id: SnapshotId): SnapshotReader {
    const file = this.pathOf(id);
    const { lastContainedLogTimestamp, dataStart } = readHeader(this.fs, file);
    const fs = this.fs;
    return { id, path: file, lastContainedLogTimestamp, records: () => dataRecords(fs, file, dataStart) };
  }
}

function corrupt(file: string, reason: string): CorruptRaftLogError {
  return new CorruptRaftLogError(`corrupt snapshot ${file}: ${reason}`);
}

function controlType(record: BatchRecord): number {
  return readControlRecordKey(record.key).type;
}

function readHeader(fs: FileSystem, file: string): { lastContainedLogTimestamp: number; dataStart: number } {
  const handle = fs.open(file, 'read');
  try {
    const header = readBatchAt(handle, 0);
    if (header === null) throw corrupt(file, 'empty file');
    const [record] = decodeBatchRecords(header);
    if (!header.isControl || record === undefined || controlType(record) !== ControlRecordType.SnapshotHeader || record.value === null) {
      throw corrupt(file, 'the first batch is not a snapshot header');
    }
    return { lastContainedLogTimestamp: readSnapshotHeader(record.value).lastContainedLogTimestamp, dataStart: header.sizeInBytes };
  } catch (err) {
    if (err instanceof DecodeError) throw corrupt(file, err.message);
    throw err;
  } finally {
    handle.close();
  }
}

/** The record values of the data batches from `position` on, up to the footer, which must end the file. */
function* dataRecords(fs: FileSystem, file: string, position: number): Iterable<Buffer> {
  const handle = fs.open(file, 'read');
  try {
    for (;;) {
      let batch: RecordBatchHeader | null;
      let records: BatchRecord[];
      try {
        batch = readBatchAt(handle, position);
        if (batch === null) throw corrupt(file, 'no snapshot footer: the file is incomplete');
        records = decodeBatchRecords(batch);
        if (batch.isControl && records.some((r) => controlType(r) === ControlRecordType.SnapshotFooter)) {
          if (position + batch.sizeInBytes !== handle.size()) throw corrupt(file, 'data after the snapshot footer');
          return;
        }
        if (!batch.isControl && records.some((r) => r.value === null)) throw new DecodeError('a record without a value', 0);
      } catch (err) {
        if (err instanceof DecodeError) throw corrupt(file, `batch at byte ${position}: ${err.message}`);
        throw err;
      }
      position += batch.sizeInBytes;
      // Other control batches (KRaftVersionRecord, VotersRecord) concern the quorum, not the state.
      if (!batch.isControl) yield* records.map((r) => r.value!);
    }
  } finally {
    handle.close();
  }
}

/** The whole batch at `position`, or null at the end of the file. */
function readBatchAt(file: FileHandle, position: number): RecordBatchHeader | null {
  const overhead = Buffer.alloc(LOG_OVERHEAD);
  const read = readFully(file, overhead, 0, LOG_OVERHEAD, position);
  if (read === 0) return null;
  if (read < LOG_OVERHEAD) throw new DecodeError(`a batch cut short after ${read} bytes`, position);
  const size = overhead.readInt32BE(BATCH_HEADER.batchLength) + LOG_OVERHEAD;
  if (size < BATCH_HEADER.size) throw new DecodeError(`batch length ${size - LOG_OVERHEAD} is shorter than a batch header`, position);
  if (position + size > file.size()) throw new DecodeError(`a batch of ${size} bytes runs past the end of the file`, position);
  const bytes = Buffer.alloc(size);
  readFully(file, bytes, 0, size, position);
  return new RecordBatchHeader(bytes);
}
