import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC_ROOT, OUTPUT_DIR, generateProtocol } from '../../scripts/gen-protocol.js';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [relative(OUTPUT_DIR, join(dir, e.name))],
  );
}

describe('src/protocol/generated', () => {
  it('matches what scripts/gen-protocol.ts generates from ../shared/kafka-spec', () => {
    if (!existsSync(DEFAULT_SPEC_ROOT)) {
      throw new Error(`../shared/kafka-spec is absent (${DEFAULT_SPEC_ROOT}): cannot check that the generated codec is fresh`);
    }
    const expected = generateProtocol(DEFAULT_SPEC_ROOT);
    const stale = [...expected].filter(([path, content]) => !existsSync(join(OUTPUT_DIR, path)) || readFileSync(join(OUTPUT_DIR, path), 'utf8') !== content);
    const extra = listFiles(OUTPUT_DIR).filter((path) => !expected.has(path));
    expect({ stale: stale.map(([p]) => p), extra }, 'run `npm run gen:protocol`').toEqual({ stale: [], extra: [] });
  });
});
