import { describe, expect, it } from 'vitest';
import { BROKER_PROPERTIES } from '../../src/config/broker-properties.js';
import { describeBrokerConfigs, describeTopicConfigs, type DescribeOptions } from '../../src/config/describe.js';
import { ConfigSource } from '../../src/config/kafka-codes.js';
import type { BrokerConfigLayers } from '../../src/config/layers.js';
import { TOPIC_PROPERTIES } from '../../src/config/topic-properties.js';

const { TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG } = ConfigSource;
const layers = (l: Partial<BrokerConfigLayers>): BrokerConfigLayers => ({ static: {}, clusterDefaults: {}, broker: {}, ...l });
const options = (keys: string[] | null, more: Partial<DescribeOptions> = {}): DescribeOptions => ({
  keys,
  includeSynonyms: true,
  includeDocumentation: false,
  ...more,
});
const synonyms = (entry: { synonyms: { name: string; value: string | null; source: number }[] }) => entry.synonyms.map((s) => [s.name, s.value, s.source]);

describe('describeTopicConfigs', () => {
  it("lists a topic override first, then the broker synonyms by source and Kafka's order", () => {
    const l = layers({ static: { 'log.retention.hours': '24' }, clusterDefaults: { 'log.retention.ms': '1000' } });
    const [entry] = describeTopicConfigs(l, { 'retention.ms': '5000' }, options(['retention.ms']));
    expect(entry).toMatchObject({ name: 'retention.ms', value: '5000', configSource: TOPIC_CONFIG, isDefault: false, configType: 5 });
    expect(entry).toMatchObject({ readOnly: false, isSensitive: false });
    expect(synonyms(entry)).toEqual([
      ['retention.ms', '5000', TOPIC_CONFIG],
      ['log.retention.ms', '1000', DYNAMIC_DEFAULT_BROKER_CONFIG],
      ['log.retention.hours', '24', STATIC_BROKER_CONFIG],
      ['log.retention.hours', '168', DEFAULT_CONFIG],
    ]);
  });

  it('takes the source of the first synonym when the topic does not override', () => {
    const [entry] = describeTopicConfigs(layers({ static: { 'log.segment.bytes': '1048576' } }), {}, options(['segment.bytes']));
    expect(entry).toMatchObject({ value: '1048576', configSource: STATIC_BROKER_CONFIG, isDefault: false });
    expect(synonyms(entry)).toEqual([
      ['log.segment.bytes', '1048576', STATIC_BROKER_CONFIG],
      ['log.segment.bytes', '1073741824', DEFAULT_CONFIG],
    ]);
  });

  it('reports DEFAULT_CONFIG with no synonyms for a config without a broker property', () => {
    const [entry] = describeTopicConfigs(layers({}), {}, options(['leader.replication.throttled.replicas']));
    expect(entry).toMatchObject({ value: '', configSource: DEFAULT_CONFIG, isDefault: true, synonyms: [], configType: 7 });
  });

  it('lists every topic config, sorted, and leaves out names it does not have', () => {
    const all = describeTopicConfigs(layers({}), {}, options(null, { includeSynonyms: false }));
    expect(all.map((e) => e.name)).toEqual(TOPIC_PROPERTIES.map((d) => d.name).sort());
    expect(all.every((e) => e.synonyms.length === 0)).toBe(true);
    expect(describeTopicConfigs(layers({}), {}, options(['retention.ms', 'no.such.config'])).map((e) => e.name)).toEqual(['retention.ms']);
  });

  it('prints values as Kafka does and documents them on request', () => {
    const keys = ['cleanup.policy', 'min.cleanable.dirty.ratio', 'max.compaction.lag.ms'];
    const entries = describeTopicConfigs(layers({}), { 'cleanup.policy': ' compact , delete ' }, options(keys, { includeDocumentation: true }));
    expect(entries.map((e) => [e.name, e.value])).toEqual([
      ['cleanup.policy', 'compact,delete'],
      ['max.compaction.lag.ms', '9007199254740991'],
      ['min.cleanable.dirty.ratio', '0.5'],
    ]);
    expect(entries[0].documentation).toMatch(/^What happens to old data/);
    expect(entries[0].synonyms[0]).toMatchObject({ name: 'cleanup.policy', value: 'compact,delete', source: TOPIC_CONFIG });
  });
});

describe('describeBrokerConfigs', () => {
  it('lists every broker property with its effective value for this broker', () => {
    const entries = describeBrokerConfigs(layers({}), 'broker', options(null));
    expect(entries.map((e) => e.name)).toEqual(BROKER_PROPERTIES.map((d) => d.name).sort());
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('num.partitions')).toMatchObject({ value: '1', configSource: DEFAULT_CONFIG, isDefault: true, readOnly: true, configType: 3 });
    expect(byName.get('log.retention.bytes')).toMatchObject({ readOnly: false });
    expect(byName.get('advertised.listeners')).toMatchObject({ value: null, configSource: DEFAULT_CONFIG, synonyms: [] });
    expect(byName.get('log.cleaner.min.cleanable.ratio')).toMatchObject({ value: '0.5', configType: 6 });
  });

  it('gives each source its Kafka code', () => {
    const l = layers({ static: { 'message.max.bytes': '1' }, clusterDefaults: { 'message.max.bytes': '2' }, broker: { 'message.max.bytes': '3' } });
    const [entry] = describeBrokerConfigs(l, 'broker', options(['message.max.bytes']));
    expect(entry).toMatchObject({ value: '3', configSource: DYNAMIC_BROKER_CONFIG });
    expect(synonyms(entry)).toEqual([
      ['message.max.bytes', '3', DYNAMIC_BROKER_CONFIG],
      ['message.max.bytes', '2', DYNAMIC_DEFAULT_BROKER_CONFIG],
      ['message.max.bytes', '1', STATIC_BROKER_CONFIG],
      ['message.max.bytes', '1048588', DEFAULT_CONFIG],
    ]);
  });

  it('shows a time property with the value its chain resolves to, and its stand-ins from their own first value', () => {
    const l = layers({ static: { 'log.retention.ms': '1000' }, clusterDefaults: { 'log.retention.hours': '2' } });
    const [hours, ms] = describeBrokerConfigs(l, 'broker', options(['log.retention.ms', 'log.retention.hours']));
    expect(ms).toMatchObject({ name: 'log.retention.ms', value: '7200000', configSource: DYNAMIC_DEFAULT_BROKER_CONFIG });
    expect(synonyms(ms)).toEqual([
      ['log.retention.hours', '2', DYNAMIC_DEFAULT_BROKER_CONFIG],
      ['log.retention.ms', '1000', STATIC_BROKER_CONFIG],
      ['log.retention.hours', '168', DEFAULT_CONFIG],
    ]);
    expect(hours).toMatchObject({ name: 'log.retention.hours', value: '2', configSource: DYNAMIC_DEFAULT_BROKER_CONFIG });

    const [minutes] = describeBrokerConfigs(layers({ static: { 'log.retention.ms': '1000' } }), 'broker', options(['log.retention.minutes']));
    expect(minutes).toMatchObject({ value: null, configSource: DEFAULT_CONFIG, synonyms: [] });
  });

  it('describes the cluster-wide defaults with only what is set there', () => {
    const l = layers({ static: { 'log.retention.ms': '5' }, clusterDefaults: { 'log.retention.ms': ' 1000 ', 'unknown.stored': 'x' } });
    const entries = describeBrokerConfigs(l, 'cluster-default', options(null));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ name: 'log.retention.ms', value: ' 1000 ', configSource: DYNAMIC_DEFAULT_BROKER_CONFIG, readOnly: false });
    expect(synonyms(entries[0])).toEqual([['log.retention.ms', ' 1000 ', DYNAMIC_DEFAULT_BROKER_CONFIG]]);
  });

  it('omits synonyms and documentation unless asked', () => {
    const [entry] = describeBrokerConfigs(layers({ static: { 'num.io.threads': '2' } }), 'broker', options(['num.io.threads'], { includeSynonyms: false }));
    expect(entry).toMatchObject({ value: '2', configSource: STATIC_BROKER_CONFIG, synonyms: [], documentation: null });
    const [documented] = describeBrokerConfigs(layers({}), 'broker', options(['num.io.threads'], { includeDocumentation: true }));
    expect(documented.documentation).toMatch(/has no effect/);
  });
});
