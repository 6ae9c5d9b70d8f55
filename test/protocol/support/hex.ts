/**
 * Bytes written by hand as annotated hex: whitespace is ignored and `#` starts a comment that runs
 * to the end of the line, so each field can sit on its own line next to what it means.
 */
export function hex(strings: TemplateStringsArray, ...values: unknown[]): Buffer {
  const text = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const digits = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`not whole bytes of hex: ${digits}`);
  return Buffer.from(digits, 'hex');
}

/** The UTF-8 bytes of `s` as hex, for string payloads inside a hex`` literal. */
export function utf8(s: string): string {
  return Buffer.from(s, 'utf8').toString('hex');
}
