import { Reader } from './reader.js';
import { Writer } from './writer.js';

/** A tagged field this version of Gregor does not know: kept as bytes and written back. */
export interface RawTaggedField {
  tag: number;
  data: Buffer;
}

/** A known tagged field that has a non-default value to write. */
export interface KnownTaggedField {
  tag: number;
  write(w: Writer): void;
}

/** Thrown when asked to encode a value that the requested version cannot carry. */
export class UnsupportedVersionError extends Error {
  override readonly name = 'UnsupportedVersionError';
}

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);
/** The all-zero UUID (Kafka's Uuid.ZERO_UUID) in Kafka's base64url form. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function readArray<T>(r: Reader, flexible: boolean, readElement: (r: Reader) => T): T[] | null {
  const n = flexible ? r.readCompactArrayLength() : r.readArrayLength();
  if (n < 0) return null;
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(readElement(r));
  return out;
}

/** Writes an array's length (or null); true when the elements should follow. */
export function writeArrayHeader<T>(w: Writer, flexible: boolean, items: T[] | null): items is T[] {
  if (items === null) {
    if (flexible) w.writeUVarint(0);
    else w.writeInt32(-1);
    return false;
  }
  if (flexible) w.writeCompactArrayLength(items.length);
  else w.writeArrayLength(items.length);
  return true;
}

export function readNonNull<T>(r: Reader, value: T | null, field: string): T {
  if (value === null) r.fail(`null in non-nullable field ${field}`);
  return value;
}

export function requireNonNull<T>(value: T | null, field: string, version: number): T {
  if (value === null) throw new UnsupportedVersionError(`${field} is not nullable in version ${version}`);
  return value;
}

export function unsupportedField(field: string, version: number): never {
  throw new UnsupportedVersionError(`${field} has a non-default value that version ${version} cannot carry`);
}

/** A reader over the next `size` bytes, which the parent skips. */
export function readTaggedValue<T>(r: Reader, size: number, field: string, read: (r: Reader) => T): T {
  const start = r.pos;
  const payload = r.readRaw(size);
  const sub = new Reader(r.buf, start, start + payload.length);
  const value = read(sub);
  if (sub.pos !== sub.end) r.fail(`tagged field ${field} declared ${size} bytes but used ${sub.pos - start}`);
  return value;
}

/** Writes the tagged-field section: known and unknown fields merged in ascending tag order. */
export function writeTaggedFields(w: Writer, known: KnownTaggedField[], unknown: RawTaggedField[] | undefined): void {
  const all: Array<KnownTaggedField | RawTaggedField> = unknown ? [...known, ...unknown] : known;
  if (unknown) all.sort((a, b) => a.tag - b.tag);
  w.writeUVarint(all.length);
  for (const field of all) {
    w.writeUVarint(field.tag);
    if ('data' in field) {
      w.writeUVarint(field.data.length);
      w.writeRaw(field.data);
    } else {
      const payload = new Writer(256);
      field.write(payload);
      const bytes = payload.finishToBuffer();
      w.writeUVarint(bytes.length);
      w.writeRaw(bytes);
    }
  }
}
