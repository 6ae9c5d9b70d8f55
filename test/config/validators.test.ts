import { describe, expect, it } from 'vitest';
import {
  ADVERTISED_LISTENERS,
  BOOTSTRAP_SERVERS,
  LISTENER_NAMES,
  LISTENERS,
  parseHostPort,
  parseListener,
  parseProtocolMap,
  parseVoter,
  PROTOCOL_MAP,
  QUORUM_VOTERS,
  THROTTLED_REPLICAS,
} from '../../src/config/endpoints.js';
import { atLeast, between, listOf, nonEmptyList, oneOf, type Validator } from '../../src/config/validators.js';

describe('validators', () => {
  it('atLeast and between check ranges and say so', () => {
    expect(atLeast(1).problem(1)).toBeUndefined();
    expect(atLeast(1).problem(0)).toBe('out of range');
    expect(atLeast(-1).expected('a long')).toBe('a long >= -1');
    expect(between(0, 1).problem(1)).toBeUndefined();
    expect(between(0, 1).problem(1.5)).toBe('out of range');
    expect(between(0, 1).expected('a number')).toBe('a number between 0 and 1');
  });

  it('oneOf accepts exactly the listed strings, case included', () => {
    const v: Validator<string> = oneOf(['CreateTime', 'LogAppendTime']);
    expect(v.problem('CreateTime')).toBeUndefined();
    expect(v.problem('createtime')).toBe('not allowed');
    expect(v.expected('a string')).toBe('one of CreateTime, LogAppendTime');
  });

  it('listOf checks items, and optionally emptiness and repeats', () => {
    const roles: Validator<readonly string[]> = listOf(['broker', 'controller'], { nonEmpty: true, distinct: true });
    expect(roles.problem(['broker', 'controller'])).toBeUndefined();
    expect(roles.problem(['broker', 'zookeeper'])).toBe("'zookeeper' is not allowed");
    expect(roles.problem([])).toBe('empty');
    expect(roles.problem(['broker', 'broker'])).toBe("'broker' is repeated");
    expect(roles.expected('a comma-separated list')).toBe('a comma-separated list of broker, controller (at least one, no repeats)');
    expect(listOf(['compact', 'delete']).problem([])).toBeUndefined();
  });

  it('nonEmptyList refuses the empty list', () => {
    expect(nonEmptyList().problem([])).toBe('empty');
    expect(nonEmptyList().problem(['/data'])).toBeUndefined();
    expect(nonEmptyList().expected('a comma-separated list')).toBe('a comma-separated list with at least one entry');
  });
});

describe('address formats', () => {
  it('parses listeners, upper-casing names and unbracketing IPv6 hosts', () => {
    expect(parseListener('plaintext://:9092')).toEqual({ listenerName: 'PLAINTEXT', host: '', port: 9092 });
    expect(parseListener('INTERNAL://broker-1.example.com:0')).toEqual({ listenerName: 'INTERNAL', host: 'broker-1.example.com', port: 0 });
    expect(parseListener('EXTERNAL://[::1]:9094')).toEqual({ listenerName: 'EXTERNAL', host: '::1', port: 9094 });
    expect(parseListener('localhost:9092')).toBe('is not NAME://host:port');
    expect(parseListener('A://h:70000')).toBe('has a port above 65535');
  });

  it('checks listener lists', () => {
    expect(LISTENERS.problem(['PLAINTEXT://:9092', 'CONTROLLER://localhost:9093'])).toBeUndefined();
    expect(LISTENERS.problem([])).toBe('empty');
    expect(LISTENERS.problem(['PLAINTEXT://:9092', '9093'])).toBe("'9093' is not NAME://host:port");
    expect(LISTENERS.expected('a comma-separated list')).toBe('a comma-separated list of NAME://host:port (at least one)');
    expect(ADVERTISED_LISTENERS.problem(['PLAINTEXT://0.0.0.0:9092'])).toBe("'PLAINTEXT://0.0.0.0:9092' advertises a wildcard address");
    expect(ADVERTISED_LISTENERS.problem(['PLAINTEXT://kafka:9092'])).toBeUndefined();
  });

  it('checks and parses listener.security.protocol.map', () => {
    expect(PROTOCOL_MAP.problem(['PLAINTEXT:PLAINTEXT', 'internal:sasl_ssl'])).toBeUndefined();
    expect(PROTOCOL_MAP.problem(['PLAINTEXT'])).toBe("'PLAINTEXT' is not NAME:PROTOCOL");
    expect(PROTOCOL_MAP.problem(['A:TLS'])).toBe("'A:TLS' names an unknown security protocol");
    expect(PROTOCOL_MAP.problem(['A:SSL', 'a:PLAINTEXT'])).toBe('listener a is mapped twice');
    expect(parseProtocolMap(['internal:sasl_ssl'])).toEqual(new Map([['INTERNAL', 'SASL_SSL']]));
  });

  it('checks quorum voters and bootstrap servers', () => {
    expect(parseVoter('1@localhost:9093')).toEqual({ id: 1, host: 'localhost', port: 9093 });
    expect(parseVoter('2@[fe80::1]:9093')).toEqual({ id: 2, host: 'fe80::1', port: 9093 });
    expect(parseVoter('localhost:9093')).toBe('is not id@host:port');
    expect(parseVoter('1@:9093')).toBe('has no host');
    expect(QUORUM_VOTERS.problem(['1@a:1', '1@a:1'])).toBe("'1@a:1' is repeated");
    expect(parseHostPort('controller-0:9093')).toEqual({ host: 'controller-0', port: 9093 });
    expect(BOOTSTRAP_SERVERS.problem([':9093'])).toBe("':9093' is not host:port");
  });

  it('checks listener names and throttled replicas', () => {
    expect(LISTENER_NAMES.problem(['CONTROLLER'])).toBeUndefined();
    expect(LISTENER_NAMES.problem(['CONTROLLER://:9093'])).toBe("'CONTROLLER://:9093' is not a listener name");
    expect(THROTTLED_REPLICAS.problem(['*'])).toBeUndefined();
    expect(THROTTLED_REPLICAS.problem(['0:1', '1:2'])).toBeUndefined();
    expect(THROTTLED_REPLICAS.problem([])).toBeUndefined();
    expect(THROTTLED_REPLICAS.problem(['0:1', '*'])).toBe("'*' is not partition:broker");
  });
});
