import { METADATA_RECORDS, type MetadataRecord } from '../protocol/generated/records.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';

/** The frame version Kafka writes in front of every metadata record (AbstractApiMessageSerde). */
const FRAME_VERSION = 1;

/**
 * A metadata record as stored in a record's value in `__cluster_metadata`: unsigned varints for
 * the frame version, the record type and its version, then the record itself.
 */
export function encodeMetadataRecord(record: MetadataRecord): Buffer {
  const w = new Writer(256);
  writeMetadataRecord(w, record);
  return w.finishToBuffer();
}

export function writeMetadataRecord(w: Writer, record: MetadataRecord): void {
  const definition = METADATA_RECORDS.get(record.type);
  if (!definition) throw new Error(`unknown metadata record type ${record.type}`);
  w.writeUVarint(FRAME_VERSION).writeUVarint(record.type).writeUVarint(record.version);
  definition.codec.encode(w, record.version, record.data);
}

/** Decodes one record value; malformed bytes and unknown types or versions raise DecodeError. */
export function decodeMetadataRecord(value: Buffer): MetadataRecord {
  const r: Reader = new Reader(value);
  const frameVersion = r.readUVarint();
  if (frameVersion !== FRAME_VERSION) r.fail(`unsupported metadata record frame version ${frameVersion}`);
  const type = r.readUVarint();
  const version = r.readUVarint();
  const definition = METADATA_RECORDS.get(type);
  if (!definition) r.fail(`unknown metadata record type ${type}`);
  const { minVersion, maxVersion, name } = definition.codec;
  if (version < minVersion || version > maxVersion) r.fail(`${name} version ${version} outside ${minVersion}-${maxVersion}`);
  const data = definition.codec.decode(r, version);
  if (r.remaining !== 0) r.fail(`${r.remaining} bytes after ${name}`);
  return { type, version, data } as MetadataRecord;
}
