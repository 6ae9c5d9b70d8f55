import { describe, expect, it } from 'vitest';
import { BROKER_PROPERTY } from '../../src/config/broker-properties.js';
import { checkValue, expectedOf, formatValue, parseValue, splitList } from '../../src/config/values.js';

describe('parseValue', () => {
  it('reads booleans in any case, trimmed', () => {
    expect(parseValue('boolean', ' TRUE ')).toEqual({ value: true });
    expect(parseValue('boolean', 'False')).toEqual({ value: false });
    expect(parseValue('boolean', 'yes')).toEqual({ reason: 'not a boolean' });
  });

  it('reads ints and shorts within their ranges', () => {
    expect(parseValue('int', ' +42 ')).toEqual({ value: 42 });
    expect(parseValue('int', '-2147483648')).toEqual({ value: -2147483648 });
    expect(parseValue('int', '2147483648')).toEqual({ reason: 'not an int' });
    expect(parseValue('int', '1.5')).toEqual({ reason: 'not an int' });
    expect(parseValue('int', '')).toEqual({ reason: 'not an int' });
    expect(parseValue('short', '32767')).toEqual({ value: 32767 });
    expect(parseValue('short', '32768')).toEqual({ reason: 'not a short' });
  });

  it('reads longs as safe integers, clamping Kafka-range values beyond 2^53 - 1', () => {
    expect(parseValue('long', '604800000')).toEqual({ value: 604800000 });
    expect(parseValue('long', '9223372036854775807')).toEqual({ value: Number.MAX_SAFE_INTEGER });
    expect(parseValue('long', '-9223372036854775808')).toEqual({ value: Number.MIN_SAFE_INTEGER });
    expect(parseValue('long', '9223372036854775808')).toEqual({ reason: 'not a long' });
    expect(parseValue('long', '1e3')).toEqual({ reason: 'not a long' });
  });

  it('reads decimal doubles', () => {
    expect(parseValue('double', '0.5')).toEqual({ value: 0.5 });
    expect(parseValue('double', '.25')).toEqual({ value: 0.25 });
    expect(parseValue('double', '1e-3')).toEqual({ value: 0.001 });
    expect(parseValue('double', 'half')).toEqual({ reason: 'not a number' });
    expect(parseValue('double', 'NaN')).toEqual({ reason: 'not a number' });
  });

  it('splits lists on commas, trimming items; the empty text is the empty list', () => {
    expect(parseValue('list', ' a , b,c ')).toEqual({ value: ['a', 'b', 'c'] });
    expect(parseValue('list', '  ')).toEqual({ value: [] });
    expect(splitList('a,,b')).toEqual(['a', '', 'b']);
  });

  it('trims strings', () => {
    expect(parseValue('string', '  producer ')).toEqual({ value: 'producer' });
  });
});

describe('formatValue', () => {
  it('prints values as Kafka does', () => {
    expect(formatValue('list', ['delete', 'compact'])).toBe('delete,compact');
    expect(formatValue('boolean', false)).toBe('false');
    expect(formatValue('long', Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(formatValue('string', null)).toBeNull();
  });

  it('prints doubles as Java does', () => {
    expect(formatValue('double', 0.5)).toBe('0.5');
    expect(formatValue('double', 1)).toBe('1.0');
    expect(formatValue('double', 0)).toBe('0.0');
    expect(formatValue('double', 1e7)).toBe('1.0E7');
    expect(formatValue('double', 0.0001)).toBe('1.0E-4');
    expect(formatValue('double', 1.7976931348623157e308)).toBe('1.7976931348623157E308');
  });
});

describe('checkValue', () => {
  it('applies the validator after parsing', () => {
    const def = BROKER_PROPERTY.get('num.partitions')!;
    expect(checkValue(def, '3')).toEqual({ value: 3 });
    expect(checkValue(def, '0')).toEqual({ reason: 'out of range' });
    expect(checkValue(def, 'x')).toEqual({ reason: 'not an int' });
    expect(expectedOf(def)).toBe('an int >= 1');
  });

  it('describes a property without a validator by its type', () => {
    expect(expectedOf(BROKER_PROPERTY.get('auto.create.topics.enable')!)).toBe('true or false');
    expect(expectedOf(BROKER_PROPERTY.get('connections.max.idle.ms')!)).toBe('a long');
  });
});
