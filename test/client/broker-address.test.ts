import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress, parseBootstrapServers } from '../../src/client/broker-address.js';

describe('broker addresses', () => {
  it('parses bootstrap.servers, with spaces and IPv6 hosts', () => {
    expect(parseBootstrapServers('kafka-1:9092, kafka-2:9093,[::1]:9094,')).toEqual([
      { host: 'kafka-1', port: 9092 },
      { host: 'kafka-2', port: 9093 },
      { host: '::1', port: 9094 },
    ]);
    expect(parseBootstrapServers(['127.0.0.1:1'])).toEqual([{ host: '127.0.0.1', port: 1 }]);
  });

  it('rejects what is not host:port', () => {
    expect(() => parseBootstrapServers(' , ')).toThrow('bootstrap.servers is empty');
    for (const bad of ['kafka', 'kafka:', ':9092', 'kafka:0', 'kafka:65536', '::1:9092']) {
      expect(() => parseAddress(bad)).toThrow(`invalid broker address "${bad}"`);
    }
  });

  it('formats addresses as Kafka writes them', () => {
    expect(formatAddress({ host: 'kafka-1', port: 9092 })).toBe('kafka-1:9092');
    expect(formatAddress({ host: '::1', port: 9092 })).toBe('[::1]:9092');
  });
});
