import { ApiKey, API_DEFINITIONS } from './generated/apis.js';
import { type RequestHeader, decodeRequestHeader, encodeRequestHeader } from './generated/clients/request-header.js';
import { decodeResponseHeader, encodeResponseHeader } from './generated/clients/response-header.js';
import { type ApiDefinition, isFlexibleVersion } from './message-codec.js';
import { DecodeError } from './decode-error.js';
import { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** Request header v2 for flexible versions, v1 before; ControlledShutdown v0 alone used v0. */
export function requestHeaderVersion(api: ApiDefinition<unknown, unknown>, apiVersion: number): number {
  if (api.key === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  return isFlexibleVersion(api.request, apiVersion) ? 2 : 1;
}

/** Response header v1 for flexible versions, v0 before; ApiVersions responses always use v0. */
export function responseHeaderVersion(api: ApiDefinition<unknown, unknown>, apiVersion: number): number {
  if (api.key === ApiKey.ApiVersions) return 0;
  return isFlexibleVersion(api.response, apiVersion) ? 1 : 0;
}

/** The first fields of every request header, readable before the API and version are known. */
export interface RequestPrefix {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

/** Reads api key, version and correlation id without consuming the frame. */
export function peekRequestPrefix(frame: Buffer): RequestPrefix {
  const r = new Reader(frame);
  return { apiKey: r.readInt16(), apiVersion: r.readInt16(), correlationId: r.readInt32() };
}

export type DecodedRequest =
  | { kind: 'ok'; api: ApiDefinition<unknown, unknown>; header: RequestHeader; body: unknown }
  | { kind: 'unknown-api'; prefix: RequestPrefix }
  | { kind: 'unsupported-version'; api: ApiDefinition<unknown, unknown>; prefix: RequestPrefix };

/**
 * Decodes a request frame (without its size prefix). `supported` narrows which API keys and
 * versions the caller accepts; anything else is reported, not decoded. Malformed bytes raise
 * DecodeError; bytes left after the body are not read.
 */
export function decodeRequestFrame(
  frame: Buffer,
  supported: (api: ApiDefinition<unknown, unknown>, version: number) => boolean = (api, v) =>
    v >= api.minVersion && v <= api.maxVersion,
): DecodedRequest {
  const prefix = peekRequestPrefix(frame);
  const api = API_DEFINITIONS.get(prefix.apiKey);
  if (!api) return { kind: 'unknown-api', prefix };
  if (!supported(api, prefix.apiVersion)) return { kind: 'unsupported-version', api, prefix };
  try {
    return decodeSupportedRequest(frame, api, prefix.apiVersion);
  } catch (err) {
    throw err instanceof DecodeError ? err.within(`${api.name} v${prefix.apiVersion} request`) : err;
  }
}

function decodeSupportedRequest(frame: Buffer, api: ApiDefinition<unknown, unknown>, apiVersion: number): DecodedRequest {
  const r = new Reader(frame);
  const header = decodeRequestHeader(r, requestHeaderVersion(api, apiVersion));
  // Bytes after the body are ignored, as Kafka ignores them: librdkafka's Metadata v9+ request for
  // all topics writes its null topic array as 4 bytes where the compact encoding takes 1.
  const body = api.request.decode(r, apiVersion);
  return { kind: 'ok', api, header, body };
}

/** Writes a size-prefixed request frame. */
export function encodeRequestFrame<Req>(
  w: Writer,
  api: ApiDefinition<Req, unknown>,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: Req,
): void {
  const size = w.reserveInt32();
  const headerVersion = requestHeaderVersion(api as ApiDefinition<unknown, unknown>, apiVersion);
  encodeRequestHeader(w, headerVersion, { requestApiKey: api.key, requestApiVersion: apiVersion, correlationId, clientId });
  api.request.encode(w, apiVersion, body);
  w.patchInt32(size, w.writtenSince(size));
}

/** Writes a size-prefixed response frame. */
export function encodeResponseFrame<Res>(
  w: Writer,
  api: ApiDefinition<unknown, Res>,
  apiVersion: number,
  correlationId: number,
  body: Res,
): void {
  const size = w.reserveInt32();
  encodeResponseHeader(w, responseHeaderVersion(api as ApiDefinition<unknown, unknown>, apiVersion), { correlationId });
  api.response.encode(w, apiVersion, body);
  w.patchInt32(size, w.writtenSince(size));
}

/** Decodes a response frame (without its size prefix) for a request the caller sent. */
export function decodeResponseFrame<Res>(
  frame: Buffer,
  api: ApiDefinition<unknown, Res>,
  apiVersion: number,
): { correlationId: number; body: Res } {
  const r = new Reader(frame);
  const header = decodeResponseHeader(r, responseHeaderVersion(api as ApiDefinition<unknown, unknown>, apiVersion));
  const body = api.response.decode(r, apiVersion);
  if (r.remaining !== 0) r.fail(`${r.remaining} unread bytes after ${api.name} v${apiVersion} response`);
  return { correlationId: header.correlationId, body };
}
