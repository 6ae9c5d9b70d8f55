/**
 * Every message Kafka defines (requests, responses, headers, metadata and coordinator records,
 * data structs), at every version it defines, with values generated from the definitions
 * themselves: decode(encode(x)) must equal x and encode(decode(bytes)) must give the same bytes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { includes } from '../../scripts/protocol-gen/versions.js';
import { type FieldModel } from '../../scripts/protocol-gen/model.js';
import { UnsupportedVersionError } from '../../src/protocol/codec-runtime.js';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame, requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/frames.js';
import { API_DEFINITIONS } from '../../src/protocol/generated/apis.js';
import { METADATA_RECORDS } from '../../src/protocol/generated/records.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { SeededRandom } from '../../src/util/random.js';
import { PROFILES, type SpecMessage, type Value, ValueGenerator, loadSpecMessages } from './support/spec-values.js';

let messages: SpecMessage[];
beforeAll(async () => {
  messages = await loadSpecMessages();
});

function encodeToBuffer(w: Writer, msg: SpecMessage, version: number, value: Value): Buffer {
  msg.encode(w, version, value);
  return w.finishToBuffer();
}

describe('round trip of every message and version', () => {
  it('holds for values generated from the spec, with nulls, empties, extremes and tagged fields', () => {
    // One writer for everything: earlier outputs must survive the slab being reused after them.
    const w = new Writer();
    const rng = new SeededRandom(0x5eed);
    let pairs = 0;
    for (const msg of messages) {
      for (const version of msg.versions) {
        for (const profile of PROFILES) {
          const what = `${msg.name} v${version} (${profile})`;
          const value = new ValueGenerator(rng, profile).message(msg, version);
          const bytes = encodeToBuffer(w, msg, version, value);
          const r = new Reader(bytes);
          const decoded = msg.decode(r, version);
          expect(r.remaining, `${what}: bytes left after decoding`).toBe(0);
          expect(decoded, what).toEqual(value);
          expect(encodeToBuffer(w, msg, version, decoded).equals(bytes), `${what}: re-encoded bytes differ`).toBe(true);
        }
        pairs++;
      }
    }
    console.log(`round-tripped ${pairs} (message, version) pairs of ${messages.length} messages, ${PROFILES.length} value profiles each`);
    expect(pairs).toBeGreaterThan(700);
  });

  it('holds for whole request and response frames of every API version, header included', () => {
    const w = new Writer();
    const rng = new SeededRandom(0xf4a3e);
    const byName = new Map(messages.map((m) => [m.name, m]));
    for (const api of API_DEFINITIONS.values()) {
      const request = byName.get(api.request.name)!;
      const response = byName.get(api.response.name)!;
      for (let version = api.minVersion; version <= api.maxVersion; version++) {
        const what = `${api.name} v${version}`;
        const gen = new ValueGenerator(rng, 'extremes');
        const body = gen.message(request, version);
        encodeRequestFrame(w, api, version, 0x7fffffff, 'client-🦄', body);
        const frame = w.finishToBuffer();
        expect(frame.readInt32BE(0), `${what}: size prefix`).toBe(frame.length - 4);
        const decoded = decodeRequestFrame(frame.subarray(4));
        expect(decoded.kind, what).toBe('ok');
        if (decoded.kind !== 'ok') continue;
        // Request header v0 (ControlledShutdown v0 only) has no client id.
        const clientId = requestHeaderVersion(api, version) === 0 ? '' : 'client-🦄';
        expect(decoded.header, what).toMatchObject({ requestApiKey: api.key, requestApiVersion: version, correlationId: 0x7fffffff, clientId });
        expect(decoded.body, what).toEqual(body);

        const resBody = gen.message(response, version);
        encodeResponseFrame(w, api, version, -1, resBody);
        const resFrame = w.finishToBuffer();
        expect(resFrame.readInt32BE(0), `${what} response: size prefix`).toBe(resFrame.length - 4);
        expect(decodeResponseFrame(resFrame.subarray(4), api, version), `${what} response`).toEqual({ correlationId: -1, body: resBody });
      }
    }
  });

  it.each([
    // api, version, request header, response header (from Kafka's flexibleVersions of each message)
    ['Produce', 8, 1, 0],
    ['Produce', 9, 2, 1],
    ['Fetch', 11, 1, 0],
    ['Fetch', 12, 2, 1],
    ['ControlledShutdown', 0, 0, 0],
    ['ControlledShutdown', 1, 1, 0],
    ['ControlledShutdown', 3, 2, 1],
    ['ApiVersions', 2, 1, 0],
    ['ApiVersions', 3, 2, 0],
    ['CreateTopics', 5, 2, 1],
    ['AlterPartitionReassignments', 0, 2, 1],
  ] as const)('%s v%i uses request header v%i and response header v%i', (name, version, request, response) => {
    const api = [...API_DEFINITIONS.values()].find((a) => a.name === name)!;
    expect([requestHeaderVersion(api, version), responseHeaderVersion(api, version)]).toEqual([request, response]);
  });
});

describe('metadata record registry', () => {
  it('maps each KRaft record type id to the record of ../shared/kafka-spec/metadata with that id', () => {
    const kraftRecords = messages.filter((m) => m.model.spec.group === 'metadata' && m.model.spec.type === 'metadata');
    expect(kraftRecords.length).toBeGreaterThan(20);
    const registered = new Map([...METADATA_RECORDS].map(([type, def]) => [type, def.codec.name]));
    expect(registered).toEqual(new Map(kraftRecords.map((m) => [m.model.spec.apiKey, m.name])));
  });
});

/** A value that differs from the field's default, without needing a whole generated struct. */
function nonDefault(f: FieldModel, defaultValue: unknown): unknown {
  const t = f.type;
  if (t.kind === 'array') return [null];
  if (t.kind === 'struct') return null;
  switch (t.name) {
    case 'bool':
      return defaultValue !== true;
    case 'string':
      return `${String(defaultValue ?? '')}x`;
    case 'uuid':
      return 'AQEBAQEBAQEBAQEBAQEBAQ';
    case 'bytes':
    case 'records':
      return Buffer.from([1]);
    default:
      return defaultValue === 1 ? 2 : 1;
  }
}

/** Asserts that encoding fails with UnsupportedVersionError naming `field`, not for another reason. */
function expectUnsupported(encode: () => void, field: string, what: string): void {
  let error: unknown;
  try {
    encode();
  } catch (e) {
    error = e;
  }
  expect(error, what).toBeInstanceOf(UnsupportedVersionError);
  expect((error as Error).message, what).toContain(field);
}

describe('UnsupportedVersionError', () => {
  /** Root fields of every message, with the versions in which a non-ignorable one is missing. */
  function* absentNonIgnorable(): Generator<{ msg: SpecMessage; f: FieldModel; version: number }> {
    for (const msg of messages) {
      for (const f of msg.model.root.fields) {
        if (f.ignorable || f.type.kind === 'struct') continue;
        for (const version of msg.versions) if (!includes(f.versions, version)) yield { msg, f, version };
      }
    }
  }

  it('is thrown when a non-default value is encoded into a version that cannot carry the field', () => {
    let cases = 0;
    for (const { msg, f, version } of absentNonIgnorable()) {
      const value = msg.createStruct(msg.model.root.typeName);
      value[f.prop] = nonDefault(f, value[f.prop]);
      expectUnsupported(() => msg.encode(new Writer(), version, value), f.kafkaName, `${msg.name}.${f.kafkaName} in v${version}`);
      cases++;
    }
    console.log(`UnsupportedVersionError checked for ${cases} (message, field, version) cases`);
    expect(cases).toBeGreaterThan(100);
  });

  it('is not thrown for the default value of a missing field, nor for a missing ignorable field', () => {
    for (const msg of messages) {
      for (const version of msg.versions) {
        const value = msg.createStruct(msg.model.root.typeName);
        for (const f of msg.model.root.fields) {
          if (f.ignorable && !includes(f.versions, version) && f.type.kind !== 'struct') value[f.prop] = nonDefault(f, value[f.prop]);
        }
        expect(() => msg.encode(new Writer(), version, value), `${msg.name} v${version}`).not.toThrow();
      }
    }
  });

  it('is thrown when null is encoded into a version where the field is not nullable', () => {
    let cases = 0;
    for (const msg of messages) {
      for (const f of msg.model.root.fields) {
        for (const version of msg.versions) {
          if (!includes(f.versions, version) || includes(f.nullable, version) || includes(f.tagged, version)) continue;
          if (f.nullable.min > f.nullable.max) continue;
          const value = msg.createStruct(msg.model.root.typeName);
          value[f.prop] = null;
          expectUnsupported(() => msg.encode(new Writer(), version, value), f.kafkaName, `${msg.name}.${f.kafkaName} = null in v${version}`);
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThanOrEqual(10);
  });
});
