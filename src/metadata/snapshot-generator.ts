import type { RaftClient } from '../raft/raft-client.js';
import type { Logger } from '../util/logger.js';
import { imageToRecords } from './image-records.js';
import type { MetadataImage } from './image.js';
import type { MetadataLoader, MetadataProvenance, MetadataUpdate } from './metadata-loader.js';
import { encodeMetadataRecord } from './record-serde.js';

export interface SnapshotGeneratorParams {
  readonly raft: RaftClient;
  readonly loader: MetadataLoader;
  /** `metadata.log.max.record.bytes.between.snapshots`: committed log bytes that call for a new snapshot. */
  readonly maxBytesBetweenSnapshots: number;
  readonly logger: Logger;
}

/**
 * Writes a snapshot of the committed image once enough log has been committed since the last
 * one (Kafka's SnapshotGenerator), one at a time. The quorum then lets the log before it go.
 */
export class SnapshotGenerator {
  private bytesSinceSnapshot = 0;
  private writing: Promise<void> | null = null;
  private readonly unsubscribe: () => void;

  constructor(private readonly params: SnapshotGeneratorParams) {
    this.unsubscribe = params.loader.onImage((image, update) => this.onUpdate(image, update));
  }

  /** Resolves once no snapshot is being written. */
  async idle(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  /** Stops watching the log and waits for a snapshot being written. */
  close(): Promise<void> {
    this.unsubscribe();
    return this.idle();
  }

  private onUpdate(image: MetadataImage, update: MetadataUpdate): void {
    if (update.kind === 'snapshot') {
      this.bytesSinceSnapshot = 0;
      return;
    }
    this.bytesSinceSnapshot += update.logBytes;
    if (this.bytesSinceSnapshot >= this.params.maxBytesBetweenSnapshots && this.writing === null) this.write(image, update.provenance);
  }

  private write(image: MetadataImage, provenance: MetadataProvenance): void {
    const { raft, logger } = this.params;
    this.bytesSinceSnapshot = 0;
    const id = { endOffset: provenance.offset + 1, epoch: provenance.epoch };
    this.writing = raft
      .createSnapshot(id, provenance.lastContainedLogTimeMs, encodedRecords(image))
      .then(
        (written) => {
          if (written) logger.info({ endOffset: id.endOffset, epoch: id.epoch }, 'wrote a metadata snapshot');
        },
        (err: unknown) => logger.error({ err, endOffset: id.endOffset }, 'writing a metadata snapshot failed'),
      )
      .finally(() => {
        this.writing = null;
      });
  }
}

function* encodedRecords(image: MetadataImage): Iterable<Buffer> {
  for (const record of imageToRecords(image)) yield encodeMetadataRecord(record);
}
