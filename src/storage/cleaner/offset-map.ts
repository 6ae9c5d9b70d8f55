/** Kafka sizes its dedupe map in slots of a 16-byte hash plus an 8-byte offset. */
const BYTES_PER_ENTRY = 24;

/**
 * Key -> last offset seen in the dirty part of a log (Kafka's SkimpyOffsetMap). Kafka stores MD5
 * hashes in a fixed buffer; here keys are exact, and log.cleaner.dedupe.buffer.size bounds the
 * number of entries as Kafka's buffer would.
 */
export class OffsetMap {
  private readonly offsets = new Map<string, number>();
  private latest = -1;

  constructor(readonly capacity: number) {}

  static forBufferSize(dedupeBufferBytes: number): OffsetMap {
    return new OffsetMap(Math.max(1, Math.floor(dedupeBufferBytes / BYTES_PER_ENTRY)));
  }

  get size(): number {
    return this.offsets.size;
  }

  /** Whether `additional` more keys could exceed the capacity. */
  wouldOverflow(additional: number): boolean {
    return this.offsets.size + additional > this.capacity;
  }

  put(key: Buffer, offset: number): void {
    this.offsets.set(key.toString('latin1'), offset);
    if (offset > this.latest) this.latest = offset;
  }

  /** The last offset of `key`, or -1 when the dirty part does not hold it. */
  get(key: Buffer): number {
    return this.offsets.get(key.toString('latin1')) ?? -1;
  }

  /** The largest offset put into the map, -1 when empty. */
  get latestOffset(): number {
    return this.latest;
  }
}
