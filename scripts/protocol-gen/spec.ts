import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyOverlay } from './overlay.js';

/** A field as Kafka's JSON message definitions declare it. */
export interface FieldSpec {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  flexibleVersions?: string;
  default?: string | number | boolean | null;
  ignorable?: boolean;
  about?: string;
  fields?: FieldSpec[];
  [other: string]: unknown;
}

export interface StructSpec {
  name: string;
  versions: string;
  fields: FieldSpec[];
}

/** One JSON definition file: a request, response, header, metadata record or data struct. */
export interface MessageSpec {
  /** Where it came from, relative to the spec root (e.g. "clients/ProduceRequest.json"). */
  source: string;
  group: string;
  apiKey?: number;
  type: 'request' | 'response' | 'header' | 'data' | 'metadata';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  latestVersionUnstable?: boolean;
  deprecatedVersions?: string;
  listeners?: string[];
  fields: FieldSpec[];
  commonStructs?: StructSpec[];
}

export const SPEC_GROUPS = [
  'clients',
  'metadata',
  'group-coordinator',
  'transaction-coordinator',
  'raft',
  'storage',
] as const;

/** Kafka's files carry `//` license and version-history lines that are not JSON. */
export function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*\/\//.test(line))
    .join('\n');
}

export function loadSpecs(specRoot: string): MessageSpec[] {
  const specs: MessageSpec[] = [];
  for (const group of SPEC_GROUPS) {
    const dir = join(specRoot, group);
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.json')) continue;
      const parsed = JSON.parse(stripComments(readFileSync(join(dir, file), 'utf8'))) as Omit<
        MessageSpec,
        'source' | 'group'
      >;
      specs.push(applyOverlay({ ...parsed, source: `${group}/${file}`, group }));
    }
  }
  return specs;
}

export function loadErrors(specRoot: string): ErrorSpec[] {
  return JSON.parse(readFileSync(join(specRoot, 'errors.json'), 'utf8')) as ErrorSpec[];
}

export interface ErrorSpec {
  code: number;
  name: string;
  message: string | null;
  retriable?: boolean;
  since?: string;
}
