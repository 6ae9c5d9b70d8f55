/**
 * Generates src/protocol/generated/ from Apache Kafka's message definitions in ../shared/kafka-spec.
 * Usage: npm run gen:protocol [-- --spec <dir>]
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitApis, emitErrors, emitRecords, modulePath } from './protocol-gen/emit-index.js';
import { MessageEmitter } from './protocol-gen/emit-message.js';
import { resolveMessage } from './protocol-gen/model.js';
import { loadErrors, loadSpecs } from './protocol-gen/spec.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_SPEC_ROOT = resolve(projectRoot, '../shared/kafka-spec');
export const OUTPUT_DIR = join(projectRoot, 'src/protocol/generated');

/** Every generated file, by path relative to src/protocol/generated/. */
export function generateProtocol(specRoot: string): Map<string, string> {
  const messages = loadSpecs(specRoot).map(resolveMessage);
  const files = new Map<string, string>();
  for (const m of messages) files.set(modulePath(m.spec), new MessageEmitter(m).emit());
  files.set('apis.ts', emitApis(messages));
  files.set('records.ts', emitRecords(messages));
  files.set('error-codes.ts', emitErrors(loadErrors(specRoot)));
  return files;
}

function main(): void {
  const specFlag = process.argv.indexOf('--spec');
  const specRoot = specFlag >= 0 ? resolve(process.argv[specFlag + 1]) : DEFAULT_SPEC_ROOT;
  const files = generateProtocol(specRoot);
  rmSync(OUTPUT_DIR, { recursive: true, force: true });
  for (const [path, content] of files) {
    const target = join(OUTPUT_DIR, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  const dirs = readdirSync(OUTPUT_DIR);
  console.log(`wrote ${files.size} files under src/protocol/generated (${dirs.join(', ')})`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
