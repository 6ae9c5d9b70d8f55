/**
 * Typed access to kafkajs's protocol internals (node_modules/kafkajs/src/protocol), which it
 * does not export: its per-version request encoders and response decoders, the function that
 * frames a request, and its record encoders. Used as an implementation we did not write.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const KAFKAJS_ROOT = dirname(require.resolve('kafkajs/package.json'));
const REQUESTS_DIR = join(KAFKAJS_ROOT, 'src/protocol/requests');

/** kafkajs's growable byte buffer (src/protocol/encoder.js). */
export interface KafkajsEncoder {
  readonly buffer: Buffer;
  size(): number;
}

export interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  encode(): Promise<KafkajsEncoder>;
}

export interface KafkajsResponse {
  decode(payload: Buffer): Promise<unknown>;
}

type RequestBuilder = (args: object) => KafkajsRequest;
type ResponseModule = KafkajsResponse | ((requestArgs: object) => KafkajsResponse);

/** Which versions kafkajs implements for each API, by its folder name (e.g. "fetch" -> 0..11). */
export function kafkajsApiVersions(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const entry of readdirSync(REQUESTS_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const versions = readdirSync(join(REQUESTS_DIR, entry.name))
      .filter((d) => /^v\d+$/.test(d))
      .map((d) => Number(d.slice(1)))
      .sort((a, b) => a - b);
    out.set(entry.name, versions);
  }
  return out;
}

export function kafkajsRequest(api: string, version: number, args: object): KafkajsRequest {
  const build = require(join(REQUESTS_DIR, api, `v${version}`, 'request.js')) as RequestBuilder;
  return build(args);
}

/** The response decoder; a few (deleteRecords) are built from the request's arguments. */
export function kafkajsResponse(api: string, version: number, requestArgs: object): KafkajsResponse {
  const mod = require(join(REQUESTS_DIR, api, `v${version}`, 'response.js')) as ResponseModule;
  return typeof mod === 'function' ? mod(requestArgs) : mod;
}

type FrameRequest = (options: { correlationId: number; clientId: string; request: KafkajsRequest }) => Promise<KafkajsEncoder>;

/** A size-prefixed request frame exactly as kafkajs sends it (src/protocol/request.js). */
export async function kafkajsRequestFrame(request: KafkajsRequest, correlationId: number, clientId: string): Promise<Buffer> {
  const frame = require(join(KAFKAJS_ROOT, 'src/protocol/request.js')) as FrameRequest;
  return (await frame({ correlationId, clientId, request })).buffer;
}

export interface KafkajsRecord {
  key: string | null;
  value: string | null;
  timestamp?: number;
  headers?: Record<string, string>;
}

/** A record batch (magic 2) as kafkajs's producer builds it. */
export async function kafkajsRecordBatch(records: KafkajsRecord[], firstTimestamp: number): Promise<Buffer> {
  const Record = require(join(KAFKAJS_ROOT, 'src/protocol/recordBatch/record/v0/index.js')) as (r: object) => KafkajsEncoder;
  const { RecordBatch } = require(join(KAFKAJS_ROOT, 'src/protocol/recordBatch/v0/index.js')) as {
    RecordBatch: (batch: object) => Promise<KafkajsEncoder>;
  };
  const encoded = records.map((r, i) => Record({ ...r, offsetDelta: i, timestampDelta: (r.timestamp ?? firstTimestamp) - firstTimestamp }));
  const batch = await RecordBatch({ records: encoded, firstTimestamp, maxTimestamp: firstTimestamp, lastOffsetDelta: records.length - 1 });
  return batch.buffer;
}

/** An uncompressed legacy message set (magic 0 or 1) as kafkajs's producer builds it. */
export function kafkajsMessageSet(messageVersion: 0 | 1, records: KafkajsRecord[]): Buffer {
  const MessageSet = require(join(KAFKAJS_ROOT, 'src/protocol/messageSet/index.js')) as (options: object) => KafkajsEncoder;
  return MessageSet({ messageVersion, compression: 0, entries: records }).buffer;
}

