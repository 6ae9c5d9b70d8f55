/** One key=value of a .properties file, with the line it starts on. */
export interface PropertiesEntry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
  /** Set when an escape could not be decoded; key and value then keep the raw text. */
  readonly problem?: string;
}

const WHITESPACE = new Set([' ', '\t', '\f']);
const ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/**
 * Parses Java's .properties syntax as java.util.Properties.load does: `key=value`, `key: value`
 * and `key value`; `#` and `!` comment lines; a line ending in an odd number of backslashes goes
 * on in the next line, whose leading whitespace is dropped; backslash escapes including \uXXXX.
 * Entries come back in file order, repeats included (the last one wins when they are merged).
 */
export function parseProperties(text: string): PropertiesEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const entries: PropertiesEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = stripLeadingWhitespace(lines[i]);
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    while (endsInContinuation(logical)) {
      logical = logical.slice(0, -1);
      if (i + 1 >= lines.length) break;
      logical += stripLeadingWhitespace(lines[++i]);
    }
    entries.push(splitEntry(logical, start + 1));
  }
  return entries;
}

function splitEntry(logical: string, line: number): PropertiesEntry {
  let keyEnd = 0;
  let valueStart = logical.length;
  let hasSeparator = false;
  let escaped = false;
  for (; keyEnd < logical.length; keyEnd++) {
    const c = logical[keyEnd];
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && WHITESPACE.has(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' && !escaped;
  }
  for (; valueStart < logical.length; valueStart++) {
    const c = logical[valueStart];
    if (WHITESPACE.has(c)) continue;
    if (hasSeparator || (c !== '=' && c !== ':')) break;
    hasSeparator = true;
  }
  const rawKey = logical.slice(0, keyEnd);
  const rawValue = logical.slice(valueStart);
  const key = unescape(rawKey);
  const value = unescape(rawValue);
  if (key === undefined || value === undefined) {
    return { key: key ?? rawKey, value: value ?? rawValue, line, problem: 'malformed \\uXXXX escape' };
  }
  return { key, value, line };
}

/** Decodes backslash escapes, or returns undefined for a malformed \u escape. */
function unescape(raw: string): string | undefined {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c === '\\' ? '' : c;
      continue;
    }
    const next = raw[++i];
    if (next === 'u') {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += ESCAPES[next] ?? next;
    }
  }
  return out;
}

function stripLeadingWhitespace(line: string): string {
  let i = 0;
  while (i < line.length && WHITESPACE.has(line[i])) i++;
  return line.slice(i);
}

function endsInContinuation(line: string): boolean {
  let backslashes = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}
