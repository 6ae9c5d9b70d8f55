import type { RecordHeader } from '../protocol/records/record.js';

/** One line of console-producer input, parsed. */
export interface ParsedLine {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RecordHeader[];
}

/** The properties Kafka's LineMessageReader takes (`--property name=value`). */
export const LINE_READER_PROPERTIES: ReadonlySet<string> = new Set([
  'parse.key',
  'key.separator',
  'parse.headers',
  'headers.delimiter',
  'headers.separator',
  'headers.key.separator',
  'ignore.error',
  'null.marker',
]);

/** A line that does not parse: the message is Kafka's. */
export class LineParseError extends Error {
  override readonly name = 'LineParseError';
}

/**
 * Kafka's LineMessageReader (kafka-console-producer's default reader). With parse.headers, a line
 * starts with `h1:v1,h2:v2` and headers.delimiter (a tab); with parse.key, the key comes next,
 * then key.separator (a tab) and the value. A key, value or header value equal to null.marker is
 * null. Without ignore.error a missing separator fails the line; with it, the line is the value
 * (missing key separator) or the header has a null value (missing header key separator).
 */
export class LineMessageReader {
  private readonly parseKey: boolean;
  private readonly keySeparator: string;
  private readonly parseHeaders: boolean;
  private readonly headersDelimiter: string;
  private readonly headersSeparator: string;
  private readonly headersKeySeparator: string;
  private readonly ignoreError: boolean;
  private readonly nullMarker: string | null;

  constructor(properties: ReadonlyMap<string, string>) {
    this.parseKey = properties.get('parse.key')?.trim().toLowerCase() === 'true';
    this.keySeparator = properties.get('key.separator') ?? '\t';
    this.parseHeaders = properties.get('parse.headers')?.trim().toLowerCase() === 'true';
    this.headersDelimiter = properties.get('headers.delimiter') ?? '\t';
    this.headersSeparator = properties.get('headers.separator') ?? ',';
    this.headersKeySeparator = properties.get('headers.key.separator') ?? ':';
    this.ignoreError = properties.get('ignore.error')?.trim().toLowerCase() === 'true';
    this.nullMarker = properties.get('null.marker') ?? null;
    for (const [name, value] of [
      ['key.separator', this.keySeparator],
      ['headers.delimiter', this.headersDelimiter],
      ['headers.separator', this.headersSeparator],
      ['headers.key.separator', this.headersKeySeparator],
    ] as const) {
      if (value === '') throw new LineParseError(`${name} must not be empty`);
    }
    if (this.parseHeaders && this.headersSeparator === this.headersKeySeparator) {
      throw new LineParseError('headers.separator and headers.key.separator may not be equal');
    }
    if (this.nullMarker !== null && [this.keySeparator, this.headersDelimiter, this.headersSeparator, this.headersKeySeparator].includes(this.nullMarker)) {
      throw new LineParseError(`null.marker '${this.nullMarker}' may not be equal to a separator or delimiter`);
    }
  }

  /** Parses line number `lineNumber` (1-based, for messages). */
  parse(line: string, lineNumber: number): ParsedLine {
    let rest = line;
    let headers: RecordHeader[] = [];
    if (this.parseHeaders) {
      const at = rest.indexOf(this.headersDelimiter);
      if (at < 0) {
        if (!this.ignoreError) throw new LineParseError(`No headers delimiter found on line number ${lineNumber}: '${line}'`);
      } else {
        const text = rest.slice(0, at);
        rest = rest.slice(at + this.headersDelimiter.length);
        if (text !== this.nullMarker) headers = this.headers(text, lineNumber);
      }
    }
    let key: string | null = null;
    if (this.parseKey) {
      const at = rest.indexOf(this.keySeparator);
      if (at < 0) {
        if (!this.ignoreError) throw new LineParseError(`No key separator found on line number ${lineNumber}: '${line}'`);
      } else {
        key = rest.slice(0, at);
        rest = rest.slice(at + this.keySeparator.length);
      }
    }
    return { key: this.bytes(key), value: this.bytes(rest), headers };
  }

  private headers(text: string, lineNumber: number): RecordHeader[] {
    return text.split(this.headersSeparator).map((pair) => {
      const at = pair.indexOf(this.headersKeySeparator);
      if (at < 0) {
        if (this.ignoreError) return { key: pair, value: null };
        throw new LineParseError(`No header key separator found in pair '${pair}' on line number ${lineNumber}`);
      }
      const key = pair.slice(0, at);
      if (key === this.nullMarker) throw new LineParseError(`Header keys should not be equal to the null marker '${this.nullMarker}' as they can't be null`);
      return { key, value: this.bytes(pair.slice(at + this.headersKeySeparator.length)) };
    });
  }

  private bytes(text: string | null): Buffer | null {
    return text === null || text === this.nullMarker ? null : Buffer.from(text, 'utf8');
  }
}
