import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../src/client/fetched-records.js';
import { LineMessageReader, LineParseError } from '../../src/cli/line-message-reader.js';
import { MessageFormatter, recordJson } from '../../src/cli/message-formatter.js';
import { ProducerStats, consumerSummary, consumerSummaryFields, formatDate, producerSummaryLine } from '../../src/cli/perf-stats.js';

const text = (b: Buffer | null) => (b === null ? null : b.toString());

describe('LineMessageReader', () => {
  it("parses Kafka's headers, key and value layout", () => {
    const reader = new LineMessageReader(new Map([['parse.key', 'true'], ['key.separator', ':'], ['parse.headers', 'true']]));
    const parsed = reader.parse('h1:v1,h2:v2\tkey:va:lue', 1);
    expect([text(parsed.key), text(parsed.value)]).toEqual(['key', 'va:lue']);
    expect(parsed.headers.map((h) => [h.key, text(h.value)])).toEqual([
      ['h1', 'v1'],
      ['h2', 'v2'],
    ]);
  });

  it('uses the separators and null marker given', () => {
    const reader = new LineMessageReader(
      new Map([
        ['parse.key', 'true'],
        ['key.separator', '=>'],
        ['parse.headers', 'true'],
        ['headers.delimiter', '|'],
        ['headers.separator', ';'],
        ['headers.key.separator', '='],
        ['null.marker', '~'],
      ]),
    );
    const parsed = reader.parse('a=1;b=~|~=>v', 1);
    expect([parsed.key, text(parsed.value)]).toEqual([null, 'v']);
    expect(parsed.headers.map((h) => [h.key, text(h.value)])).toEqual([
      ['a', '1'],
      ['b', null],
    ]);
    expect(new LineMessageReader(new Map()).parse('plain\tline', 1)).toMatchObject({ key: null, headers: [] });
  });

  it("fails a line as Kafka does, unless ignore.error", () => {
    const strict = new LineMessageReader(new Map([['parse.key', 'true']]));
    expect(() => strict.parse('nokey', 4)).toThrow(new LineParseError("No key separator found on line number 4: 'nokey'"));
    const headers = new LineMessageReader(new Map([['parse.headers', 'true']]));
    expect(() => headers.parse('value only', 2)).toThrow("No headers delimiter found on line number 2: 'value only'");
    expect(() => headers.parse('bad\tv', 3)).toThrow("No header key separator found in pair 'bad' on line number 3");
    const lenient = new LineMessageReader(new Map([['parse.key', 'true'], ['ignore.error', 'true']]));
    expect(text(lenient.parse('nokey', 1).value)).toBe('nokey');
    expect(() => new LineMessageReader(new Map([['parse.headers', 'true'], ['headers.separator', ':']]))).toThrow(LineParseError);
  });
});

const sample: ConsumedRecord = {
  topic: 't',
  partition: 2,
  offset: 7,
  timestamp: 1234,
  timestampType: 'CreateTime',
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  headers: [
    { key: 'a', value: Buffer.from('1') },
    { key: 'b', value: null },
  ],
  sizeInBytes: 2,
};

describe('MessageFormatter', () => {
  it('prints the value alone by default', () => {
    expect(new MessageFormatter(new Map()).format(sample).toString()).toBe('v\n');
  });

  it("prints the fields in Kafka's order with its separators", () => {
    const all = new Map(['print.timestamp', 'print.partition', 'print.offset', 'print.headers', 'print.key'].map((p) => [p, 'true']));
    expect(new MessageFormatter(all).format(sample).toString()).toBe('CreateTime:1234\tPartition:2\tOffset:7\ta:1,b:null\tk\tv\n');
    const custom = new MessageFormatter(new Map([['print.key', 'true'], ['print.value', 'false'], ['key.separator', ' | '], ['line.separator', ';']]));
    expect(custom.format(sample).toString()).toBe('k;');
    const nulls = new MessageFormatter(new Map([['print.key', 'true'], ['print.headers', 'true'], ['null.literal', '-']]));
    expect(nulls.format({ ...sample, key: null, value: null, headers: [] }).toString()).toBe('NO_HEADERS\t-\t-\n');
  });

  it('writes one JSON object per record', () => {
    expect(JSON.parse(recordJson(sample))).toEqual({
      topic: 't',
      partition: 2,
      offset: 7,
      timestamp: 1234,
      timestampType: 'CreateTime',
      key: 'k',
      value: 'v',
      headers: [
        { key: 'a', value: '1' },
        { key: 'b', value: null },
      ],
    });
  });
});

describe('perf stats', () => {
  it("prints Kafka's producer window and summary lines", () => {
    const lines: string[] = [];
    const stats = new ProducerStats(4, 1000, 0, (l) => lines.push(l));
    stats.record(10, 100, 100);
    stats.record(20, 100, 500);
    stats.record(30, 100, 1000);
    expect(lines).toEqual(['3 records sent, 3.0 records/sec (0.00 MB/sec), 20.0 ms avg latency, 30.0 ms max latency.']);
    stats.record(40, 100, 1500);
    expect(producerSummaryLine(stats.summary(2000))).toBe(
      '4 records sent, 2.000000 records/sec (0.00 MB/sec), 25.00 ms avg latency, 40.00 ms max latency, 30 ms 50th, 40 ms 95th, 40 ms 99th, 40 ms 99.9th.',
    );
  });

  it("computes Kafka's consumer summary fields", () => {
    const summary = consumerSummary(0, 2000, 2 * 1024 * 1024, 1000, 500);
    expect(consumerSummaryFields(summary, 'ss:SSS')).toEqual([formatDate(0, 'ss:SSS'), formatDate(2000, 'ss:SSS'), '2.0000', '1.0000', '1000', '500.0000', '500', '1500', '1.3333', '666.6667']);
    expect(formatDate(new Date(2024, 0, 2, 3, 4, 5, 6).getTime(), 'yyyy-MM-dd HH:mm:ss:SSS')).toBe('2024-01-02 03:04:05:006');
  });
});
