import { describe, expect, it } from 'vitest';
import { type BrokerConfigLayers, effectiveTopicConfig, resolveBrokerConfig, staticLayers } from '../../src/config/layers.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../src/storage/log-config.js';

const HOUR = 3_600_000;
const layers = (l: Partial<BrokerConfigLayers>): BrokerConfigLayers => ({ static: {}, clusterDefaults: {}, broker: {}, ...l });

describe('time-unit synonyms', () => {
  it('resolves retention as ms, else minutes, else hours', () => {
    const retention = (props: Record<string, string>) => resolveBrokerConfig(staticLayers(props))['log.retention.ms'];
    expect(retention({})).toBe(168 * HOUR);
    expect(retention({ 'log.retention.hours': '24' })).toBe(24 * HOUR);
    expect(retention({ 'log.retention.hours': '24', 'log.retention.minutes': '30' })).toBe(30 * 60_000);
    expect(retention({ 'log.retention.hours': '24', 'log.retention.minutes': '30', 'log.retention.ms': '1000' })).toBe(1000);
  });

  it('reads a negative retention in hours or minutes as unlimited', () => {
    expect(resolveBrokerConfig(staticLayers({ 'log.retention.hours': '-1' }))['log.retention.ms']).toBe(-1);
    expect(resolveBrokerConfig(staticLayers({ 'log.retention.minutes': '-5' }))['log.retention.ms']).toBe(-1);
  });

  it('resolves roll, jitter and flush intervals through their stand-ins', () => {
    const config = resolveBrokerConfig(staticLayers({ 'log.roll.hours': '2', 'log.roll.jitter.hours': '1', 'log.flush.scheduler.interval.ms': '500' }));
    expect(config['log.roll.ms']).toBe(2 * HOUR);
    expect(config['log.roll.jitter.ms']).toBe(HOUR);
    expect(config['log.flush.interval.ms']).toBe(500);
    expect(config['log.roll.hours']).toBe(2);
    expect(config['log.retention.minutes']).toBeNull();
  });

  it('resolves log.dirs from log.dir', () => {
    expect(resolveBrokerConfig(staticLayers({ 'log.dir': '/a' }))['log.dirs']).toEqual(['/a']);
    expect(resolveBrokerConfig(staticLayers({ 'log.dir': '/a', 'log.dirs': '/b,/c' }))['log.dirs']).toEqual(['/b', '/c']);
  });
});

describe('dynamic layers', () => {
  it('puts per-broker over cluster-wide defaults over static over defaults', () => {
    const l = layers({ static: { 'message.max.bytes': '100' }, clusterDefaults: { 'message.max.bytes': '200' } });
    expect(resolveBrokerConfig(l)['message.max.bytes']).toBe(200);
    expect(resolveBrokerConfig({ ...l, broker: { 'message.max.bytes': '300' } })['message.max.bytes']).toBe(300);
    expect(resolveBrokerConfig(layers({}))['message.max.bytes']).toBe(1048588);
  });

  it('lets the most specific layer win within a synonym chain, as Kafka does', () => {
    const l = layers({ static: { 'log.retention.ms': '1000' }, clusterDefaults: { 'log.retention.hours': '2' } });
    expect(resolveBrokerConfig(l)['log.retention.ms']).toBe(2 * HOUR);
  });

  it('passes over a stored dynamic value that does not parse', () => {
    expect(resolveBrokerConfig(layers({ static: { 'num.io.threads': '4' }, broker: { 'num.io.threads': 'many' } }))['num.io.threads']).toBe(4);
  });
});

describe('effectiveTopicConfig', () => {
  it('is Kafka\'s LogConfig defaults for a topic on a default broker', () => {
    const topic = effectiveTopicConfig(resolveBrokerConfig(layers({})), {});
    const logConfig: LogConfig = topic;
    for (const key of Object.keys(DEFAULT_LOG_CONFIG) as (keyof LogConfig)[]) expect(logConfig[key], key).toEqual(DEFAULT_LOG_CONFIG[key]);
    expect(topic['compression.type']).toBe('producer');
    expect(topic['min.insync.replicas']).toBe(1);
    expect(topic['leader.replication.throttled.replicas']).toEqual([]);
  });

  it('takes topic overrides over the broker synonyms', () => {
    const broker = resolveBrokerConfig(layers({ static: { 'log.retention.hours': '1', 'log.cleanup.policy': 'compact', 'message.max.bytes': '500' } }));
    const topic = effectiveTopicConfig(broker, { 'retention.ms': '42', 'cleanup.policy': 'compact,delete' });
    expect(topic['retention.ms']).toBe(42);
    expect(topic['cleanup.policy']).toEqual(['compact', 'delete']);
    expect(topic['max.message.bytes']).toBe(500);
    expect(effectiveTopicConfig(broker, {})['retention.ms']).toBe(HOUR);
    expect(effectiveTopicConfig(broker, {})['cleanup.policy']).toEqual(['compact']);
  });

  it('passes over an override that does not parse', () => {
    expect(effectiveTopicConfig(resolveBrokerConfig(layers({})), { 'segment.bytes': 'big' })['segment.bytes']).toBe(DEFAULT_LOG_CONFIG['segment.bytes']);
  });

  it('is frozen', () => {
    const topic = effectiveTopicConfig(resolveBrokerConfig(layers({})), { 'cleanup.policy': 'compact' });
    expect(Object.isFrozen(topic)).toBe(true);
    expect(Object.isFrozen(topic['cleanup.policy'])).toBe(true);
    expect(Object.isFrozen(topic['leader.replication.throttled.replicas'])).toBe(true);
  });
});
