/**
 * Seeded fuzzing of the frame decoders: random bytes, and valid frames of random APIs and
 * versions damaged by bit flips, truncations and rewritten lengths. Whatever the input, decoding
 * may only succeed or throw DecodeError; anything else fails with the seed and input to replay.
 *
 *   GREGOR_SEED=<n> npx vitest run test/protocol/fuzz.test.ts          # replay or explore a seed
 *   GREGOR_FUZZ_ROUNDS=<n> npx vitest run test/protocol/fuzz.test.ts   # n times the default work
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/protocol/decode-error.js';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from '../../src/protocol/frames.js';
import { API_DEFINITIONS } from '../../src/protocol/generated/apis.js';
import type { ApiDefinition } from '../../src/protocol/message-codec.js';
import { Writer } from '../../src/protocol/writer.js';
import { SeededRandom } from '../../src/util/random.js';
import { hex, utf8 } from './support/hex.js';
import { type SpecMessage, ValueGenerator, loadSpecMessages } from './support/spec-values.js';

const SEED = Number(process.env.GREGOR_SEED ?? 0x6e6567);
const ROUNDS = Number(process.env.GREGOR_FUZZ_ROUNDS ?? 1);
const REPLAY = `GREGOR_SEED=${SEED} npx vitest run test/protocol/fuzz.test.ts`;
const APIS = [...API_DEFINITIONS.values()];
const VERSIONS = APIS.flatMap((api) => Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => ({ api, version: api.minVersion + i })));

interface Outcome {
  decoded: number;
  rejected: number;
}

/**
 * Runs one decode: success and DecodeError are fine, anything else fails with what to replay.
 * What decodes must also encode again (`reencode`), whatever the bytes looked like.
 */
function attempt<T>(outcome: Outcome, what: string, input: Buffer, decode: () => T, reencode?: (decoded: T) => void): void {
  let decoded: T;
  try {
    decoded = decode();
    outcome.decoded++;
  } catch (e) {
    if (e instanceof DecodeError) {
      outcome.rejected++;
      return;
    }
    throw failure(what, input, e);
  }
  try {
    reencode?.(decoded);
  } catch (e) {
    throw failure(`${what}, encoding what was decoded`, input, e);
  }
}

function failure(what: string, input: Buffer, e: unknown): Error {
  const error = e as Error;
  return new Error(`${what}: ${error.name}: ${error.message}\n  input (${input.length} bytes): ${input.toString('hex').slice(0, 4000)}\n  replay: ${REPLAY}`, { cause: e });
}

function reencodeRequest(decoded: ReturnType<typeof decodeRequestFrame>): void {
  if (decoded.kind !== 'ok') return;
  const { api, header, body } = decoded;
  encodeRequestFrame(new Writer(), api, header.requestApiVersion, header.correlationId, header.clientId, body);
}

function reencodeResponse(api: ApiDefinition<unknown, unknown>, version: number): (decoded: { correlationId: number; body: unknown }) => void {
  return (decoded) => encodeResponseFrame(new Writer(), api, version, decoded.correlationId, decoded.body);
}

/** A writer that notes where each int16, int32 and unsigned varint went: the lengths are among them. */
class RecordingWriter extends Writer {
  readonly marks: Array<{ at: number; kind: 'int16' | 'int32' | 'uvarint' }> = [];

  override writeInt16(v: number): this {
    this.marks.push({ at: this.length, kind: 'int16' });
    return super.writeInt16(v);
  }

  override writeInt32(v: number): this {
    this.marks.push({ at: this.length, kind: 'int32' });
    return super.writeInt32(v);
  }

  override writeUVarint(v: number): this {
    this.marks.push({ at: this.length, kind: 'uvarint' });
    return super.writeUVarint(v);
  }
}

const HUGE_INT16 = [0x7fff, -2, -1, 0];
const HUGE_INT32 = [0x7fffffff, -0x80000000, -2, -1, 0x10000];
const HUGE_UVARINTS = [
  hex`ffffffff0f  # 2^32 - 1`,
  hex`ffffffff7f  # beyond 32 bits`,
  hex`808080808001  # six bytes`,
  hex`00  # null`,
  hex`80  # cut short`,
];

class Mutator {
  constructor(private readonly rng: SeededRandom) {}

  /** Damages `frame` (no size prefix) in one of several ways; `marks` locate its integers. */
  mutate(frame: Buffer, marks: RecordingWriter['marks']): { bytes: Buffer; how: string } {
    const rng = this.rng;
    const copy = Buffer.from(frame);
    const mark = marks.length > 0 ? rng.pick(marks) : undefined;
    switch (rng.int(7)) {
      case 0: {
        const flips = rng.between(1, 4);
        for (let i = 0; i < flips && copy.length > 0; i++) copy[rng.int(copy.length)] ^= 1 << rng.int(8);
        return { bytes: copy, how: `${flips} bit flips` };
      }
      case 1: {
        const at = rng.int(copy.length + 1);
        return { bytes: copy.subarray(0, at), how: `truncated to ${at}` };
      }
      case 2:
        if (mark?.kind === 'int16' && mark.at + 2 <= copy.length) {
          const v = rng.pick(HUGE_INT16);
          copy.writeInt16BE(v, mark.at);
          return { bytes: copy, how: `int16 at ${mark.at} set to ${v}` };
        }
        return this.mutate(frame, marks);
      case 3:
        if (mark?.kind === 'int32' && mark.at + 4 <= copy.length) {
          const v = rng.pick(HUGE_INT32);
          copy.writeInt32BE(v, mark.at);
          return { bytes: copy, how: `int32 at ${mark.at} set to ${v}` };
        }
        return this.mutate(frame, marks);
      case 4:
        if (mark?.kind === 'uvarint' && mark.at < copy.length) {
          let end = mark.at;
          while (end < copy.length && (copy[end] & 0x80) !== 0) end++;
          const replacement = rng.pick(HUGE_UVARINTS);
          const bytes = Buffer.concat([copy.subarray(0, mark.at), replacement, copy.subarray(end + 1)]);
          return { bytes, how: `varint at ${mark.at} replaced by ${replacement.toString('hex')}` };
        }
        return this.mutate(frame, marks);
      case 5: {
        const extra = Buffer.from(Array.from({ length: rng.between(1, 8) }, () => rng.int(256)));
        return { bytes: Buffer.concat([copy, extra]), how: `${extra.length} bytes appended` };
      }
      default: {
        const at = rng.int(copy.length + 1);
        const removed = rng.chance(0.5) && at < copy.length;
        const bytes = removed ? Buffer.concat([copy.subarray(0, at), copy.subarray(at + 1)]) : Buffer.concat([copy.subarray(0, at), Buffer.from([rng.int(256)]), copy.subarray(at)]);
        return { bytes, how: `byte ${removed ? 'removed' : 'inserted'} at ${at}` };
      }
    }
  }
}

let byName: Map<string, SpecMessage>;
beforeAll(async () => {
  byName = new Map((await loadSpecMessages()).map((m) => [m.name, m]));
  console.log(`protocol fuzz seed ${SEED} (${ROUNDS} round(s)); replay: ${REPLAY}`);
});

function randomBytes(rng: SeededRandom, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => rng.int(256)));
}

describe(`protocol decoders under fuzzing (seed ${SEED})`, () => {
  it('only ever throw DecodeError for random bytes, and re-encode what they decode', () => {
    const rng = new SeededRandom(SEED);
    const outcome: Outcome = { decoded: 0, rejected: 0 };
    for (let i = 0; i < 10000 * ROUNDS; i++) {
      const bytes = randomBytes(rng, rng.int(64));
      attempt(outcome, `random request frame #${i}`, bytes, () => decodeRequestFrame(bytes), reencodeRequest);
      // The same bytes behind a valid api key and version, so that the body decoders run.
      const { api, version } = rng.pick(VERSIONS);
      const prefixed = Buffer.concat([Buffer.from([0, api.key, version >> 8, version & 0xff]), bytes]);
      attempt(outcome, `random ${api.name} v${version} request #${i}`, prefixed, () => decodeRequestFrame(prefixed), reencodeRequest);
    }
    for (const { api, version } of VERSIONS) {
      for (let i = 0; i < 3 * ROUNDS; i++) {
        const bytes = randomBytes(rng, rng.int(48));
        attempt(outcome, `random ${api.name} v${version} response #${i}`, bytes, () => decodeResponseFrame(bytes, api, version), reencodeResponse(api, version));
      }
    }
    console.log(`random bytes: ${outcome.decoded} decoded, ${outcome.rejected} rejected with DecodeError`);
    expect(outcome.rejected).toBeGreaterThan(outcome.decoded);
  });

  it('only ever throw DecodeError for damaged valid frames, and re-encode what they decode', () => {
    const rng = new SeededRandom(SEED + 1);
    const mutator = new Mutator(rng);
    const outcome: Outcome = { decoded: 0, rejected: 0 };
    for (let i = 0; i < 15000 * ROUNDS; i++) {
      const { api, version } = rng.pick(VERSIONS);
      const gen = new ValueGenerator(rng, 'random');
      const response = rng.chance(0.5);
      const codec = response ? api.response : api.request;
      const body = gen.message(byName.get(codec.name)!, version);
      const w = new RecordingWriter();
      if (response) encodeResponseFrame(w, api, version, i, body);
      else encodeRequestFrame(w, api, version, i, 'fuzz', body);
      const frame = w.finishToBuffer().subarray(4);
      const marks = w.marks.map((m) => ({ ...m, at: m.at - 4 })).filter((m) => m.at >= 0);
      const { bytes, how } = mutator.mutate(frame, marks);
      const what = `#${i} ${api.name} v${version} ${response ? 'response' : 'request'}, ${how}`;
      if (response) {
        attempt(outcome, what, bytes, () => decodeResponseFrame(bytes, api, version), reencodeResponse(api, version));
      } else {
        attempt(outcome, what, bytes, () => decodeRequestFrame(bytes), reencodeRequest);
      }
    }
    console.log(`damaged frames: ${outcome.decoded} decoded, ${outcome.rejected} rejected with DecodeError`);
    expect(outcome.rejected).toBeGreaterThan(outcome.decoded);
  });
});

describe('huge lengths in tiny frames', () => {
  const FETCH = API_DEFINITIONS.get(1)!;
  const frames: Array<[string, Buffer, (frame: Buffer) => unknown]> = [
    [
      'Metadata v0 request: topic array of 2^31 - 1',
      hex`0003 0000 00000001 ffff  # Metadata v0, no client id
          7fffffff                 # topics: 2^31 - 1 elements`,
      decodeRequestFrame,
    ],
    ['SaslAuthenticate v0 request: auth bytes of 2^31 - 1', hex`0024 0000 00000001 ffff 7fffffff  # SaslAuthenticate v0; auth bytes length`, decodeRequestFrame],
    [
      'Metadata v9 request: compact topic array of 2^32 - 2',
      hex`0003 0009 00000001 ffff 00  # Metadata v9, header v2
          ffffffff0f                  # topics: compact length 2^32 - 1`,
      decodeRequestFrame,
    ],
    [
      'ApiVersions v3 request: tagged field of 2^32 - 1 bytes',
      hex`0012 0003 00000001 ffff  # ApiVersions v3
          01 00 ffffffff0f         # header tagged fields: 1, tag 0, size 2^32 - 1`,
      decodeRequestFrame,
    ],
    ['ApiVersions v3 request: 2^32 - 1 tagged fields', hex`0012 0003 00000001 ffff ffffffff0f 00 00  # header tagged field count 2^32 - 1`, decodeRequestFrame],
    [
      'Produce v3 request: records of 2^31 - 1 bytes',
      hex`
        0000 0003 00000001 ffff      # Produce v3
        ffff ffff 00000000           # no transactional id, acks -1, timeout 0
        00000001 0001 ${utf8('t')}   # one topic "t"
        00000001 00000000 7fffffff   # one partition 0, records length 2^31 - 1`,
      decodeRequestFrame,
    ],
    [
      'Fetch v4 response: records of 2^31 - 1 bytes',
      hex`
        00000001 00000000          # correlation id, throttle time
        00000001 0001 ${utf8('t')} # one topic "t"
        00000001 00000000 0000     # one partition 0, no error
        0000000000000000 0000000000000000 # high watermark, last stable offset
        ffffffff                   # no aborted transactions
        7fffffff                   # records length 2^31 - 1`,
      (frame) => decodeResponseFrame(frame, FETCH, 4),
    ],
  ];

  it.each(frames)('%s: fails with DecodeError', (_what, frame, decode) => {
    expect(() => decode(frame)).toThrow(DecodeError);
  });

  it('are rejected without allocating what they claim', () => {
    const REPEATS = 200;
    const before = process.memoryUsage();
    for (let i = 0; i < REPEATS; i++) {
      for (const [, frame, decode] of frames) {
        try {
          decode(frame);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }
    }
    const after = process.memoryUsage();
    const MiB = 1024 * 1024;
    console.log(`${REPEATS * frames.length} huge-length frames rejected: array buffers ${((after.arrayBuffers - before.arrayBuffers) / MiB).toFixed(2)} MiB, heap ${((after.heapUsed - before.heapUsed) / MiB).toFixed(2)} MiB`);
    expect((after.arrayBuffers - before.arrayBuffers) / MiB, 'MiB of array buffers allocated').toBeLessThan(16);
    expect((after.heapUsed - before.heapUsed) / MiB, 'MiB of heap allocated').toBeLessThan(16);
  });
});
