import type { ConsumedRecord } from '../client/fetched-records.js';

/** The properties Kafka's DefaultMessageFormatter takes (`--property name=value`). */
export const FORMATTER_PROPERTIES: ReadonlySet<string> = new Set([
  'print.timestamp',
  'print.key',
  'print.value',
  'print.partition',
  'print.offset',
  'print.headers',
  'key.separator',
  'line.separator',
  'headers.separator',
  'null.literal',
]);

/**
 * Kafka's DefaultMessageFormatter (kafka-console-consumer's default): the fields asked for, in
 * the order timestamp (`CreateTime:1700000000000`), `Partition:0`, `Offset:5`, headers
 * (`k1:v1,k2:v2`, or `NO_HEADERS`), key and value, separated by key.separator (a tab), ending
 * with line.separator; null keys, values and header values print as null.literal ("null").
 * Keys and values are written as their bytes.
 */
export class MessageFormatter {
  private readonly printTimestamp: boolean;
  private readonly printKey: boolean;
  private readonly printValue: boolean;
  private readonly printPartition: boolean;
  private readonly printOffset: boolean;
  private readonly printHeaders: boolean;
  private readonly keySeparator: Buffer;
  private readonly lineSeparator: Buffer;
  private readonly headersSeparator: Buffer;
  private readonly nullLiteral: Buffer;

  constructor(properties: ReadonlyMap<string, string>) {
    const flag = (name: string, fallback: boolean): boolean => {
      const value = properties.get(name);
      return value === undefined ? fallback : value.trim().toLowerCase() === 'true';
    };
    this.printTimestamp = flag('print.timestamp', false);
    this.printKey = flag('print.key', false);
    this.printValue = flag('print.value', true);
    this.printPartition = flag('print.partition', false);
    this.printOffset = flag('print.offset', false);
    this.printHeaders = flag('print.headers', false);
    this.keySeparator = Buffer.from(properties.get('key.separator') ?? '\t');
    this.lineSeparator = Buffer.from(properties.get('line.separator') ?? '\n');
    this.headersSeparator = Buffer.from(properties.get('headers.separator') ?? ',');
    this.nullLiteral = Buffer.from(properties.get('null.literal') ?? 'null');
  }

  format(record: ConsumedRecord): Buffer {
    const parts: Buffer[] = [];
    const separator = (more: boolean): void => {
      parts.push(more ? this.keySeparator : this.lineSeparator);
    };
    if (this.printTimestamp) {
      parts.push(Buffer.from(record.timestampType === 'NoTimestampType' ? 'NO_TIMESTAMP' : `${record.timestampType}:${record.timestamp}`));
      separator(this.printPartition || this.printOffset || this.printHeaders || this.printKey || this.printValue);
    }
    if (this.printPartition) {
      parts.push(Buffer.from(`Partition:${record.partition}`));
      separator(this.printOffset || this.printHeaders || this.printKey || this.printValue);
    }
    if (this.printOffset) {
      parts.push(Buffer.from(`Offset:${record.offset}`));
      separator(this.printHeaders || this.printKey || this.printValue);
    }
    if (this.printHeaders) {
      if (record.headers.length === 0) parts.push(Buffer.from('NO_HEADERS'));
      record.headers.forEach((h, i) => {
        parts.push(Buffer.from(`${h.key}:`), h.value ?? this.nullLiteral);
        if (i < record.headers.length - 1) parts.push(this.headersSeparator);
      });
      separator(this.printKey || this.printValue);
    }
    if (this.printKey) {
      parts.push(record.key ?? this.nullLiteral);
      separator(this.printValue);
    }
    if (this.printValue) {
      parts.push(record.value ?? this.nullLiteral, this.lineSeparator);
    }
    return Buffer.concat(parts);
  }
}

/** A record as one JSON object (gregor consume --output json): keys, values and headers as UTF-8. */
export function recordJson(record: ConsumedRecord): string {
  return JSON.stringify({
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    key: record.key?.toString('utf8') ?? null,
    value: record.value?.toString('utf8') ?? null,
    headers: record.headers.map((h) => ({ key: h.key, value: h.value?.toString('utf8') ?? null })),
  });
}
