import { describe, expect, it } from 'vitest';
import { parseProperties } from '../../src/config/properties-file.js';

const pairs = (text: string) => parseProperties(text).map((e) => [e.key, e.value]);

describe('parseProperties', () => {
  it('takes =, : and whitespace as separators, with whitespace around them', () => {
    expect(pairs('a=1\nb: 2\nc 3\n  d =  4\ne\t:\t5\nf==6\ng:=7')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
      ['e', '5'],
      ['f', '=6'],
      ['g', '=7'],
    ]);
  });

  it('keeps trailing whitespace of a value and allows a key without a value', () => {
    expect(pairs('a=1  \nb\nc=')).toEqual([
      ['a', '1  '],
      ['b', ''],
      ['c', ''],
    ]);
  });

  it('skips # and ! comments and blank lines, even indented ones', () => {
    expect(pairs('# one\n! two\n   # three\n\n \t\nkey=value # not a comment')).toEqual([['key', 'value # not a comment']]);
  });

  it('joins continuation lines, dropping the leading whitespace of each', () => {
    const entries = parseProperties('\nlisteners=PLAINTEXT://:9092,\\\n    CONTROLLER://:9093\nnext=1');
    expect(entries.map((e) => [e.key, e.value, e.line])).toEqual([
      ['listeners', 'PLAINTEXT://:9092,CONTROLLER://:9093', 2],
      ['next', '1', 4],
    ]);
  });

  it('continues only after an odd number of backslashes', () => {
    expect(pairs('a=x\\\\\nb=y')).toEqual([
      ['a', 'x\\'],
      ['b', 'y'],
    ]);
    expect(pairs('a=x\\\\\\\ny')).toEqual([['a', 'x\\y']]);
  });

  it('does not continue a comment, and reads a continued line that starts with # as value', () => {
    expect(pairs('# comment \\\na=1')).toEqual([['a', '1']]);
    expect(pairs('a=1,\\\n#2')).toEqual([['a', '1,#2']]);
  });

  it('drops a backslash at the end of the file', () => {
    expect(pairs('a=1\\')).toEqual([['a', '1']]);
  });

  it('decodes escapes in keys and values', () => {
    expect(pairs('my\\ key\\=x\\:y=tab\\there\\nnew \\u00e9t\\u00C9 \\q \\\\')).toEqual([['my key=x:y', 'tab\there\nnew étÉ q \\']]);
  });

  it('reports a malformed \\u escape with its line', () => {
    const [entry] = parseProperties('\n\nbad=\\u12x4');
    expect(entry).toMatchObject({ key: 'bad', value: '\\u12x4', line: 3, problem: 'malformed \\uXXXX escape' });
  });

  it('handles CRLF and CR line endings and a byte-order mark', () => {
    expect(pairs('\uFEFFa=1\r\nb=2\rc=3')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
  });

  it('keeps repeated keys in order', () => {
    expect(pairs('a=1\na=2')).toEqual([
      ['a', '1'],
      ['a', '2'],
    ]);
  });
});
