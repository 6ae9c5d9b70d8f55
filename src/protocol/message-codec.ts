import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** Encode, decode and build one message type, for every version its definition allows. */
export interface MessageCodec<T> {
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First version with compact encodings and tagged fields, or null when there is none. */
  readonly firstFlexibleVersion: number | null;
  decode(r: Reader, version: number): T;
  encode(w: Writer, version: number, message: T): void;
  create(init?: Partial<T>): T;
}

/** One Kafka API: its key, version range and the codecs of its request and response. */
export interface ApiDefinition<Req, Res> {
  readonly key: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** True when Kafka marks the highest version as not yet stable: it must not be advertised. */
  readonly latestVersionUnstable: boolean;
  readonly deprecatedVersions: { readonly min: number; readonly max: number } | null;
  /** Which Kafka listeners serve it: "broker", "controller", "zkBroker". */
  readonly listeners: readonly string[];
  readonly request: MessageCodec<Req>;
  readonly response: MessageCodec<Res>;
}

/** A record type stored in an internal log (metadata records, coordinator keys and values). */
export interface RecordDefinition<T> {
  /** The record type id for metadata records; null for records keyed by their version. */
  readonly type: number | null;
  readonly codec: MessageCodec<T>;
}

export function isFlexibleVersion(codec: MessageCodec<unknown>, version: number): boolean {
  return codec.firstFlexibleVersion !== null && version >= codec.firstFlexibleVersion;
}
