import { describe, expect, it } from 'vitest';
import { BROKER_GROUPS, BROKER_PROPERTIES, BROKER_PROPERTY } from '../../src/config/broker-properties.js';
import { effectiveTopicConfig, resolveBrokerConfig, staticLayers } from '../../src/config/layers.js';
import type { AnyPropertyDefinition } from '../../src/config/property.js';
import { TOPIC_PROPERTIES, TOPIC_PROPERTY } from '../../src/config/topic-properties.js';
import { isUnsupportedBrokerProperty, isUnsupportedTopicProperty } from '../../src/config/unsupported-properties.js';
import { checkValue, formatValue } from '../../src/config/values.js';
import { DEFAULT_LOG_CONFIG } from '../../src/storage/log-config.js';

const ALL: AnyPropertyDefinition[] = [...BROKER_PROPERTIES, ...TOPIC_PROPERTIES];

describe('property definitions', () => {
  it('have unique names and one-sentence docs', () => {
    expect(BROKER_PROPERTY.size).toBe(BROKER_PROPERTIES.length);
    expect(TOPIC_PROPERTY.size).toBe(TOPIC_PROPERTIES.length);
    for (const def of ALL) expect(def.doc, def.name).toMatch(/^[A-Z].*\.$/);
  });

  it('have defaults that survive printing and parsing and pass their own validators', () => {
    for (const def of ALL) {
      const text = formatValue(def.type, def.default);
      if (text === null) continue;
      expect(checkValue(def, text), def.name).toEqual({ value: def.default });
    }
  });

  it('keep every long a safe integer', () => {
    for (const def of ALL.filter((d) => d.type === 'long' && d.default !== null)) expect(Number.isSafeInteger(def.default), def.name).toBe(true);
  });

  it('put every broker property in a known section, and use every section', () => {
    const groups: string[] = BROKER_GROUPS.map((g) => g.id);
    for (const def of BROKER_PROPERTIES) expect(groups, def.name).toContain(def.group);
    for (const group of groups) expect(BROKER_PROPERTIES.some((def) => def.group === group), group).toBe(true);
  });

  it('fall back only to broker properties, converting units only into milliseconds', () => {
    for (const def of BROKER_PROPERTIES.filter((d) => 'fallbacks' in d)) {
      for (const fallback of def.fallbacks) {
        const target = BROKER_PROPERTY.get(fallback.name);
        expect(target, fallback.name).toBeDefined();
        if ('unit' in fallback) expect([def.type, def.name.endsWith('.ms')]).toEqual(['long', true]);
        else expect(target!.type).toBe(def.type);
      }
    }
  });

  it('resolve to null only for properties without a default and nothing to fall back to', () => {
    const config = resolveBrokerConfig(staticLayers({})) as unknown as Record<string, unknown>;
    for (const def of BROKER_PROPERTIES) {
      const nullable = def.default === null && !('fallbacks' in def);
      expect(config[def.name] === null, def.name).toBe(nullable);
    }
  });

  it('inherit topic configs from dynamic broker properties of the same type and default', () => {
    const topic = effectiveTopicConfig(resolveBrokerConfig(staticLayers({})), {}) as unknown as Record<string, unknown>;
    for (const def of TOPIC_PROPERTIES) {
      expect(topic[def.name], def.name).toEqual(def.default);
      if (!('brokerSynonym' in def)) continue;
      const broker = BROKER_PROPERTY.get(def.brokerSynonym)!;
      expect([broker.type, broker.updateMode], def.name).toEqual([def.type, 'cluster-wide']);
    }
  });

  it("cover storage's LogConfig with Kafka's defaults", () => {
    for (const [name, value] of Object.entries(DEFAULT_LOG_CONFIG)) expect(TOPIC_PROPERTY.get(name)?.default, name).toEqual(value);
  });

  it('never list an implemented property as unsupported', () => {
    for (const def of BROKER_PROPERTIES) expect(isUnsupportedBrokerProperty(def.name), def.name).toBe(false);
    for (const def of TOPIC_PROPERTIES) expect(isUnsupportedTopicProperty(def.name), def.name).toBe(false);
  });
});
