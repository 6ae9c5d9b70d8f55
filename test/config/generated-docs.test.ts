import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOC_PATH, renderServerProperties, SERVER_PROPERTIES_PATH, withPropertyReference } from '../../scripts/gen-config-docs.js';
import { BROKER_PROPERTIES, BROKER_PROPERTY } from '../../src/config/broker-properties.js';
import { parseBrokerConfig } from '../../src/config/load.js';
import { parseProperties } from '../../src/config/properties-file.js';
import { TOPIC_PROPERTIES } from '../../src/config/topic-properties.js';

const shipped = readFileSync(SERVER_PROPERTIES_PATH, 'utf8');

describe('config/server.properties', () => {
  it('is what scripts/gen-config-docs.ts generates', () => {
    expect(shipped, 'run `npx tsx scripts/gen-config-docs.ts`').toBe(renderServerProperties());
  });

  it('changes nothing as shipped', () => {
    expect(parseProperties(shipped)).toEqual([]);
    expect(parseBrokerConfig({ file: { path: SERVER_PROPERTIES_PATH, text: shipped } }).ok).toBe(true);
  });

  it('lists every implemented property once, at a default that parses when uncommented', () => {
    const lines = shipped.split('\n').filter((line) => /^#[a-z]/.test(line));
    const entries = parseProperties(lines.map((line) => line.slice(1)).join('\n'));
    expect(entries.map((e) => e.key)).toEqual(BROKER_PROPERTIES.map((d) => d.name));
    // A property without a default is shown as `#name=`, which is not a value to uncomment.
    const withDefaults = entries.filter((e) => BROKER_PROPERTY.get(e.key)!.default !== null);
    const text = withDefaults.map((e) => `${e.key}=${e.value}`).join('\n');
    const uncommented = parseBrokerConfig({ file: { path: SERVER_PROPERTIES_PATH, text } });
    const defaults = parseBrokerConfig({});
    if (!uncommented.ok || !defaults.ok) throw new Error('expected both to parse');
    expect(uncommented.config).toEqual(defaults.config);
  });
});

describe('docs/configuration.md', () => {
  const doc = readFileSync(CONFIG_DOC_PATH, 'utf8');

  it('has the property reference scripts/gen-config-docs.ts generates', () => {
    expect(doc, 'run `npx tsx scripts/gen-config-docs.ts`').toBe(withPropertyReference(doc));
  });

  it('documents every property', () => {
    for (const def of [...BROKER_PROPERTIES, ...TOPIC_PROPERTIES]) expect(doc).toContain(`| \`${def.name}\` |`);
  });
});
