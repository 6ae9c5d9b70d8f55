import { describe, expect, it } from 'vitest';
import { ConfigResourceType } from '../../../src/protocol/config-resource-type.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import type { ConfigRecord } from '../../../src/protocol/generated/metadata/config-record.js';
import type { MetadataRecord } from '../../../src/protocol/generated/records.js';
import { KafkaError } from '../../../src/util/kafka-error.js';
import { type ConfigOverrides, changeConfigs } from '../../../src/metadata/controller/config-changes.js';
import { clusterOf, replay, withTopic } from './support.js';

const TOPIC = ConfigResourceType.TOPIC;
const BROKER = ConfigResourceType.BROKER;
const image = withTopic(clusterOf(1), 'orders', 1, 1);
const becomes = (configs: Record<string, string>) => (): ConfigOverrides => ({ ok: true, configs });
const entries = (records: readonly MetadataRecord[]) => records.map((r) => [(r.data as ConfigRecord).name, (r.data as ConfigRecord).value]);

describe('changeConfigs', () => {
  it('writes the changed and removed topic overrides, and nothing for those that stay', () => {
    const first = changeConfigs(image, { type: TOPIC, name: 'orders' }, becomes({ 'retention.ms': '1000', 'cleanup.policy': 'compact' }));
    expect(first.response).toEqual({ errorCode: 0, errorMessage: null });
    const withConfigs = replay(image, first.records);
    const seen: Record<string, string>[] = [];
    const second = changeConfigs(withConfigs, { type: TOPIC, name: 'orders' }, (current) => {
      seen.push(current);
      return { ok: true, configs: { 'retention.ms': '2000', 'cleanup.policy': 'compact' } };
    });
    expect(seen).toEqual([{ 'retention.ms': '1000', 'cleanup.policy': 'compact' }]);
    expect(entries(second.records)).toEqual([['retention.ms', '2000']]);
    const third = changeConfigs(withConfigs, { type: TOPIC, name: 'orders' }, becomes({}));
    expect(entries(third.records)).toEqual([['retention.ms', null], ['cleanup.policy', null]]);
    expect(replay(withConfigs, third.records).topicConfigs('orders').size).toBe(0);
    expect(third.records[0]).toMatchObject({ type: 4, version: 0, data: { resourceType: TOPIC, resourceName: 'orders' } });
  });

  it('answers a topic that does not exist, after the configs were found valid', () => {
    expect(changeConfigs(image, { type: TOPIC, name: 'nope' }, becomes({ 'retention.ms': '1' }))).toEqual({
      response: { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "The topic 'nope' does not exist." },
      records: [],
    });
    const invalid = (): ConfigOverrides => ({ ok: false, error: new KafkaError('INVALID_CONFIG', ErrorCode.INVALID_CONFIG, 'retention.ms=x: not a long') });
    expect(changeConfigs(image, { type: TOPIC, name: 'nope' }, invalid).response).toEqual({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'retention.ms=x: not a long',
    });
  });

  it('refuses the default topic resource and illegal topic names before looking at the configs', () => {
    const never = (): ConfigOverrides => {
      throw new Error('not asked');
    };
    expect(changeConfigs(image, { type: TOPIC, name: '' }, never).response).toEqual({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Default topic resources are not allowed.',
    });
    expect(changeConfigs(image, { type: TOPIC, name: 'a/b' }, never).response).toEqual({
      errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
      errorMessage: "Topic name is invalid: 'a/b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
    });
    expect(changeConfigs(image, { type: ConfigResourceType.GROUP, name: 'g' }, never).response).toEqual({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Unknown resource type GROUP',
    });
  });

  it('sets cluster-wide and per-broker overrides, rewriting every broker override it keeps', () => {
    const cluster = changeConfigs(image, { type: BROKER, name: '' }, becomes({ 'log.retention.ms': '5000' }));
    const withDefault = replay(image, cluster.records);
    expect(Object.fromEntries(withDefault.brokerConfigs(''))).toEqual({ 'log.retention.ms': '5000' });
    const again = changeConfigs(withDefault, { type: BROKER, name: '' }, becomes({ 'log.retention.ms': '5000', 'ssl.keystore.location': '/k' }));
    expect(entries(again.records)).toEqual([['log.retention.ms', '5000'], ['ssl.keystore.location', '/k']]);
    const perBroker = changeConfigs(image, { type: BROKER, name: '1' }, becomes({ 'log.cleaner.threads': '2' }));
    expect(Object.fromEntries(replay(image, perBroker.records).brokerConfigs(1))).toEqual({ 'log.cleaner.threads': '2' });
  });

  it('refuses broker names that are no broker id, and ids of no registered node', () => {
    const invalidName = (name: string) => changeConfigs(image, { type: BROKER, name }, becomes({})).response;
    expect(invalidName('one')).toEqual({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unable to parse broker name as a base 10 number.' });
    expect(invalidName('99999999999')).toEqual({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unable to parse broker name as a base 10 number.' });
    expect(invalidName('-1')).toEqual({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Invalid negative broker ID.' });
    expect(invalidName('7')).toEqual({ errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, errorMessage: 'No node with id 7 found.' });
    expect(changeConfigs(image, { type: BROKER, name: '7' }, becomes({ a: 'b' }), new Set([7])).records).toHaveLength(1);
  });
});
