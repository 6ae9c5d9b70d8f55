/**
 * Message values generated from Kafka's own definitions (the generator's model), for tests that
 * must cover every message and version without a hand-written fixture for each.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_SPEC_ROOT, OUTPUT_DIR } from '../../../scripts/gen-protocol.js';
import { modulePath } from '../../../scripts/protocol-gen/emit-index.js';
import { type FieldModel, type FieldType, type MessageModel, type PrimitiveKind, type StructModel, resolveMessage } from '../../../scripts/protocol-gen/model.js';
import { loadSpecs } from '../../../scripts/protocol-gen/spec.js';
import { includes } from '../../../scripts/protocol-gen/versions.js';
import type { RawTaggedField } from '../../../src/protocol/codec-runtime.js';
import type { Reader } from '../../../src/protocol/reader.js';
import type { Writer } from '../../../src/protocol/writer.js';
import type { Random } from '../../../src/util/random.js';

export type Value = Record<string, unknown>;

/** One generated message module, reached through the generator's own model of it. */
export interface SpecMessage {
  readonly model: MessageModel;
  readonly name: string;
  readonly versions: number[];
  isFlexible(version: number): boolean;
  decode(r: Reader, version: number): Value;
  encode(w: Writer, version: number, m: Value): void;
  /** A struct of the message (root or nested) with every field at its default. */
  createStruct(typeName: string): Value;
}

/**
 * Fails with a clear message when the spec is not there: a test that silently covers nothing
 * would look exactly like one that passes.
 */
function requireSpecRoot(): string {
  if (!existsSync(DEFAULT_SPEC_ROOT)) {
    throw new Error(`Kafka's message definitions are absent (${DEFAULT_SPEC_ROOT}): cannot generate protocol test values`);
  }
  return DEFAULT_SPEC_ROOT;
}

type ModuleExports = Record<string, unknown>;

function exported<T>(mod: ModuleExports, name: string, source: string): T {
  const value = mod[name];
  if (typeof value !== 'function') throw new Error(`${source} does not export ${name}`);
  return value as T;
}

/** Every message definition with its generated module, in the spec's order. */
export async function loadSpecMessages(): Promise<SpecMessage[]> {
  const models = loadSpecs(requireSpecRoot()).map(resolveMessage);
  return Promise.all(
    models.map(async (model): Promise<SpecMessage> => {
      const file = join(OUTPUT_DIR, modulePath(model.spec));
      const mod = (await import(pathToFileURL(file).href)) as ModuleExports;
      const name = model.spec.name;
      const versions: number[] = [];
      for (let v = model.valid.min; v <= model.valid.max; v++) versions.push(v);
      return {
        model,
        name,
        versions,
        isFlexible: (v) => includes(model.flexible, v),
        decode: exported(mod, `decode${name}`, file),
        encode: exported(mod, `encode${name}`, file),
        createStruct: (typeName) => exported<() => Value>(mod, `create${typeName}`, file)(),
      };
    }),
  );
}

/**
 * How values are chosen:
 * - `extremes`: every nullable value present, two elements per array, scalars at their limits,
 *   multi-byte strings, tagged fields away from their defaults and unknown tagged fields added;
 * - `empty`: nulls wherever allowed, empty arrays and strings, zeros, tagged fields at default;
 * - `random`: a seeded mix of both.
 */
export type Profile = 'extremes' | 'empty' | 'random';
export const PROFILES: readonly Profile[] = ['extremes', 'empty', 'random'];

const INT_LIMITS: Record<string, readonly [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint16: [0, 65535],
};
const FLOATS = [Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -0, Infinity, -Infinity, NaN, 3.141592653589793];
const STRINGS = ['a', 'héllo wörld', 'トピック名', 'emoji 🦄🚀', 'x'.repeat(200)];
const ALL_ONES_UUID = Buffer.alloc(16, 0xff).toString('base64url');

export class ValueGenerator {
  constructor(
    private readonly rng: Random,
    private readonly profile: Profile,
  ) {}

  /** A full message of `version`: fields absent from that version keep their defaults. */
  message(msg: SpecMessage, version: number): Value {
    return this.struct(msg, msg.model.root, version);
  }

  private full(): boolean {
    return this.profile === 'extremes' || (this.profile === 'random' && this.rng.chance(0.5));
  }

  private struct(msg: SpecMessage, s: StructModel, version: number): Value {
    const out = msg.createStruct(s.typeName);
    for (const f of s.fields) {
      if (!includes(f.versions, version)) continue;
      if (includes(f.tagged, version) && !this.full()) continue;
      out[f.prop] = this.field(msg, f, version);
    }
    if (msg.isFlexible(version) && this.full()) out.unknownTaggedFields = this.unknownTags(s, version);
    return out;
  }

  private field(msg: SpecMessage, f: FieldModel, version: number): unknown {
    if (includes(f.nullable, version) && !this.full()) return null;
    return this.valueOf(msg, f.type, version);
  }

  private valueOf(msg: SpecMessage, t: FieldType, version: number): unknown {
    switch (t.kind) {
      case 'struct':
        return this.struct(msg, t.struct, version);
      case 'array': {
        const n = this.profile === 'extremes' ? 2 : this.profile === 'empty' ? 0 : this.rng.int(3);
        return Array.from({ length: n }, () => this.valueOf(msg, t.element, version));
      }
      case 'primitive':
        return this.primitive(t.name);
    }
  }

  private primitive(kind: PrimitiveKind): unknown {
    const empty = this.profile === 'empty';
    switch (kind) {
      case 'bool':
        return !empty && this.rng.chance(0.5);
      case 'float64':
        return empty ? 0 : this.rng.pick(FLOATS);
      case 'string':
        return empty ? '' : this.rng.pick(STRINGS);
      case 'uuid':
        return empty ? 'AAAAAAAAAAAAAAAAAAAAAA' : this.rng.chance(0.2) ? ALL_ONES_UUID : this.randomBytes(16).toString('base64url');
      case 'bytes':
      case 'records':
        // 600 bytes take the writer's zero-copy path; a few bytes are copied into the slab.
        return empty ? Buffer.alloc(0) : this.randomBytes(this.rng.chance(0.2) ? 600 : this.rng.between(1, 8));
      default: {
        const [min, max] = INT_LIMITS[kind];
        if (empty) return 0;
        if (this.profile === 'extremes' || this.rng.chance(0.5)) return this.rng.chance(0.5) ? min : max;
        return min + Math.floor(this.rng.next() * (max - min));
      }
    }
  }

  /** Tags the struct does not know in this version, in ascending order as a decoder reports them. */
  private unknownTags(s: StructModel, version: number): RawTaggedField[] {
    const known = s.fields.filter((f) => includes(f.tagged, version)).map((f) => f.tag ?? 0);
    const first = Math.max(-1, ...known) + 1 + this.rng.int(4);
    // The second tag needs a two-byte varint; the second payload a two-byte size.
    return [
      { tag: first, data: this.randomBytes(this.rng.int(4)) },
      { tag: 300 + this.rng.int(1000), data: this.randomBytes(this.rng.chance(0.5) ? 130 : 1) },
    ];
  }

  private randomBytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.rng.int(256);
    return b;
  }
}

/** Recursively a partial value of `T`, as tests write messages: only the fields they care about. */
export type DeepPartial<T> = T extends Buffer
  ? T
  : T extends (infer E)[]
    ? DeepPartial<E>[]
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;

/** `partial` with every field it leaves out set to its default, nested structs included. */
export function complete(msg: SpecMessage, partial: object): Value {
  return completeStruct(msg, msg.model.root, partial as Value);
}

function completeStruct(msg: SpecMessage, s: StructModel, partial: Value): Value {
  const out = msg.createStruct(s.typeName);
  for (const [prop, value] of Object.entries(partial)) {
    const f = s.fields.find((x) => x.prop === prop);
    if (f) out[prop] = completeValue(msg, f.type, value);
    else if (prop === 'unknownTaggedFields') out[prop] = value;
    else throw new Error(`${s.typeName} has no field ${prop}`);
  }
  return out;
}

function completeValue(msg: SpecMessage, t: FieldType, value: unknown): unknown {
  if (value === null) return null;
  if (t.kind === 'struct') return completeStruct(msg, t.struct, value as Value);
  if (t.kind === 'array') return (value as unknown[]).map((e) => completeValue(msg, t.element, e));
  return value;
}
