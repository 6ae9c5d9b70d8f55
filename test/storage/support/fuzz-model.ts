import type { DecodedRecord } from './batches.js';

/**
 * What the op-fuzz expects the log to hold: the records it can read now, and every record ever
 * appended at each offset (truncation lets an offset be reused), which bounds what may
 * reappear after a crash.
 */
export class FuzzModel {
  records: DecodedRecord[] = [];
  logStart = 0;
  logEnd = 0;
  private readonly history = new Map<number, Set<string>>();

  appended(records: readonly DecodedRecord[], logEnd: number): void {
    for (const r of records) {
      let versions = this.history.get(r.offset);
      if (versions === undefined) this.history.set(r.offset, (versions = new Set()));
      versions.add(contentOf(r));
      this.records.push(r);
    }
    this.logEnd = logEnd;
  }

  everAppended(r: DecodedRecord): boolean {
    return this.history.get(r.offset)?.has(contentOf(r)) ?? false;
  }

  truncatedTo(offset: number): void {
    this.records = this.records.filter((r) => r.offset < offset);
    this.logEnd = offset;
  }

  startMovedTo(offset: number): void {
    this.logStart = offset;
    this.records = this.records.filter((r) => r.offset >= offset);
  }

  /** After compaction or recovery the log itself says what is left. */
  replaceWith(records: readonly DecodedRecord[], logStart: number, logEnd: number): void {
    this.records = records.filter((r) => r.offset >= logStart);
    this.logStart = logStart;
    this.logEnd = logEnd;
  }

  /** Whether compaction may have removed `r`: a later record with the same key exists. */
  superseded(r: DecodedRecord): boolean {
    return r.key !== null && this.records.some((other) => other.key === r.key && other.offset > r.offset);
  }

  /** The last record of every key, as compaction must keep it. */
  latestPerKey(): Map<string, DecodedRecord> {
    const latest = new Map<string, DecodedRecord>();
    for (const r of this.records) if (r.key !== null) latest.set(r.key, r);
    return latest;
  }
}

function contentOf(r: DecodedRecord): string {
  return JSON.stringify([r.key, r.value, r.timestamp]);
}
