import type { ConnectionInfo } from '../../network/connection.js';
import type { ApiMessages } from '../../protocol/generated/apis.js';
import type { RequestHeader } from '../../protocol/generated/clients/request-header.js';
import type { ApiDefinition } from '../../protocol/message-codec.js';

/** Returned by a handler when the request gets no response at all (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no response');

export type ApiKeyNumber = keyof ApiMessages;
export type RequestOf<K extends ApiKeyNumber> = ApiMessages[K]['request'];
export type ResponseOf<K extends ApiKeyNumber> = ApiMessages[K]['response'];

export interface RequestContext {
  readonly header: RequestHeader;
  readonly apiVersion: number;
  readonly connection: ConnectionInfo;
}

/**
 * One API's implementation: the versions it serves (advertised in ApiVersions exactly as
 * declared here) and the function that answers a decoded request.
 */
export interface ApiHandler<K extends ApiKeyNumber = ApiKeyNumber> {
  readonly api: ApiDefinition<RequestOf<K>, ResponseOf<K>>;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: RequestOf<K>, context: RequestContext): Promise<ResponseOf<K> | typeof NO_RESPONSE> | ResponseOf<K> | typeof NO_RESPONSE;
}
