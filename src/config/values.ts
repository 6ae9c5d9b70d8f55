import type { AnyPropertyDefinition, ConfigType, ConfigValue } from './property.js';

/** A property's text turned into its typed value, or the reason it could not be. */
export type Checked = { readonly value: ConfigValue } | { readonly reason: string };

const NOUNS: Readonly<Record<ConfigType, string>> = {
  boolean: 'true or false',
  string: 'a string',
  int: 'an int',
  short: 'a short',
  long: 'a long',
  double: 'a number',
  list: 'a comma-separated list',
  class: 'a class name',
  password: 'a password',
};

const INTEGER_RANGES = {
  int: [-(2 ** 31), 2 ** 31 - 1],
  short: [-(2 ** 15), 2 ** 15 - 1],
} as const;

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** What a valid value of the property looks like, e.g. "an int >= 1". */
export function expectedOf(def: AnyPropertyDefinition): string {
  const noun = NOUNS[def.type];
  return def.validator === undefined ? noun : def.validator.expected(noun);
}

/** Parses text as Kafka's ConfigDef does for the property's type, then applies its validator. */
export function checkValue(def: AnyPropertyDefinition, text: string): Checked {
  const parsed = parseValue(def.type, text);
  if ('reason' in parsed || def.validator === undefined) return parsed;
  const reason = def.validator.problem(parsed.value);
  return reason === undefined ? parsed : { reason };
}

/**
 * Kafka's parsing rules: surrounding whitespace is ignored, booleans are case-insensitive, lists
 * split on commas. A long beyond 2^53 - 1 (Kafka's Long.MAX_VALUE "never" defaults among them)
 * becomes Number.MAX_SAFE_INTEGER, so values copied from a Kafka cluster still load.
 */
export function parseValue(type: ConfigType, text: string): Checked {
  const trimmed = text.trim();
  switch (type) {
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      return lower === 'true' || lower === 'false' ? { value: lower === 'true' } : { reason: 'not a boolean' };
    }
    case 'int':
    case 'short': {
      const [min, max] = INTEGER_RANGES[type];
      const n = INTEGER.test(trimmed) ? Number(trimmed) : NaN;
      return n >= min && n <= max ? { value: n } : { reason: `not ${NOUNS[type]}` };
    }
    case 'long': {
      if (!INTEGER.test(trimmed)) return { reason: 'not a long' };
      const n = BigInt(trimmed);
      if (n > INT64_MAX || n < INT64_MIN) return { reason: 'not a long' };
      return { value: Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Number(n))) };
    }
    case 'double':
      return DECIMAL.test(trimmed) && Number.isFinite(Number(trimmed)) ? { value: Number(trimmed) } : { reason: 'not a number' };
    case 'list':
      return { value: splitList(trimmed) };
    case 'string':
    case 'class':
    case 'password':
      return { value: trimmed };
  }
}

/** A list's items: split on commas, each trimmed; the empty text is the empty list. */
export function splitList(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
}

/** The text Kafka shows for a value (ConfigDef.convertToString): lists joined by commas, doubles as Java prints them. */
export function formatValue(type: ConfigType, value: ConfigValue | null): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  if (type === 'double') return javaDouble(value as number);
  return String(value);
}

/** Double.toString: "0.5", "1.0", and scientific notation outside [10^-3, 10^7), e.g. "1.0E7". */
function javaDouble(x: number): string {
  const magnitude = Math.abs(x);
  if (x === 0 || (magnitude >= 1e-3 && magnitude < 1e7)) return Number.isInteger(x) ? `${x}.0` : String(x);
  const [mantissa, exponent] = x.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}
