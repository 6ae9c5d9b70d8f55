import { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/**
 * One record of a v2 batch, as stored: deltas from the batch's base offset and base timestamp.
 * Keys, values and header values are views into the batch bytes (or its decompressed records).
 */
export interface BatchRecord {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** Reads one length-prefixed record; its fields must fill exactly the length it declares. */
export function readRecord(reader: Reader): BatchRecord {
  const length = reader.readVarint();
  if (length < 0 || length > reader.remaining) {
    reader.fail(`record length ${length} does not fit the ${reader.remaining} bytes left`);
  }
  const body = new Reader(reader.buf, reader.pos, reader.pos + length);
  reader.skip(length);
  body.readInt8(); // record attributes: defined but unused since magic v2
  const timestampDelta = body.readVarlong();
  const offsetDelta = body.readVarint();
  const key = readVarintBytes(body);
  const value = readVarintBytes(body);
  const headerCount = body.readVarint();
  if (headerCount < 0) body.fail(`negative header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const keyLength = body.readVarint();
    if (keyLength < 0) body.fail('null header key');
    const headerKey = body.readRaw(keyLength).toString('utf8');
    headers.push({ key: headerKey, value: readVarintBytes(body) });
  }
  if (body.remaining !== 0) body.fail(`${body.remaining} bytes left over at the end of a ${length}-byte record`);
  return { offsetDelta, timestampDelta, key, value, headers };
}

function readVarintBytes(reader: Reader): Buffer | null {
  const length = reader.readVarint();
  if (length < -1) reader.fail(`invalid length ${length}`);
  return length === -1 ? null : reader.readRaw(length);
}

/** Writes one record with its varint length prefix. */
export function writeRecord(
  writer: Writer,
  offsetDelta: number,
  timestampDelta: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: readonly RecordHeader[],
): void {
  const headerKeys = headers.map((header) => Buffer.from(header.key, 'utf8'));
  let bodySize =
    1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfVarintBytes(key) + sizeOfVarintBytes(value);
  bodySize += sizeOfVarint(headers.length);
  for (let i = 0; i < headers.length; i++) {
    bodySize += sizeOfVarintBytes(headerKeys[i]) + sizeOfVarintBytes(headers[i].value);
  }
  writer.writeVarint(bodySize).writeInt8(0).writeVarlong(timestampDelta).writeVarint(offsetDelta);
  writeVarintBytes(writer, key);
  writeVarintBytes(writer, value);
  writer.writeVarint(headers.length);
  for (let i = 0; i < headers.length; i++) {
    writeVarintBytes(writer, headerKeys[i]);
    writeVarintBytes(writer, headers[i].value);
  }
}

function writeVarintBytes(writer: Writer, bytes: Buffer | null): void {
  if (bytes === null) {
    writer.writeVarint(-1);
  } else {
    writer.writeVarint(bytes.length).writeRaw(bytes);
  }
}

function sizeOfUnsignedVarint(v: number): number {
  let size = 1;
  for (; v >= 0x80; v = Math.floor(v / 128)) size++;
  return size;
}

function sizeOfVarint(v: number): number {
  return sizeOfUnsignedVarint(((v << 1) ^ (v >> 31)) >>> 0);
}

function sizeOfVarlong(v: number): number {
  return sizeOfUnsignedVarint(v < 0 ? -2 * v - 1 : 2 * v);
}

function sizeOfVarintBytes(bytes: Buffer | null): number {
  return bytes === null ? 1 : sizeOfVarint(bytes.length) + bytes.length;
}
