import type { ConnectionInfo, FrameHandler } from '../network/connection.js';
import { decodeRequestFrame, encodeResponseFrame } from '../protocol/frames.js';
import { ApiKey, ApiVersionsApi } from '../protocol/generated/apis.js';
import type { ApiDefinition } from '../protocol/message-codec.js';
import { Writer } from '../protocol/writer.js';
import { NO_RESPONSE, type RequestContext } from './handlers/handler.js';
import { unsupportedApiVersionsResponse } from './handlers/18-api-versions.js';
import type { HandlerRegistry } from './handlers/registry.js';

/** A request the broker will not serve; the connection is closed, as Kafka does. */
export class RejectedRequestError extends Error {
  override readonly name = 'RejectedRequestError';
}

/**
 * Turns request frames into response frames: decodes with the generated codec, routes to the
 * registered handler and encodes its answer for the version the client used. What cannot be
 * served (unknown API keys, unsupported versions except ApiVersions, malformed requests) throws,
 * which makes the connection log one line and close.
 */
export function createRequestDispatcher(registry: HandlerRegistry): FrameHandler {
  // Encoding is synchronous and finish() hands out views, so one writer serves every connection.
  const writer = new Writer();
  const encode = <Res>(api: ApiDefinition<unknown, Res>, version: number, correlationId: number, body: Res): Buffer[] => {
    encodeResponseFrame(writer, api, version, correlationId, body);
    return writer.finish();
  };

  return (frame: Buffer, connection: ConnectionInfo) => {
    const decoded = decodeRequestFrame(frame, (api, version) => registry.supports(api.key, version));
    if (decoded.kind === 'unknown-api') {
      throw new RejectedRequestError(`unknown API key ${decoded.prefix.apiKey}`);
    }
    if (decoded.kind === 'unsupported-version') {
      const { apiKey, apiVersion, correlationId } = decoded.prefix;
      if (apiKey === ApiKey.ApiVersions) return encode(ApiVersionsApi, 0, correlationId, unsupportedApiVersionsResponse(registry.ranges()));
      throw new RejectedRequestError(`unsupported version ${apiVersion} of ${decoded.api.name}`);
    }
    const { api, header, body } = decoded;
    const handler = registry.get(api.key)!;
    const context: RequestContext = { header, apiVersion: header.requestApiVersion, connection };
    const respond = (response: unknown): Buffer[] | null =>
      response === NO_RESPONSE ? null : encode(api, header.requestApiVersion, header.correlationId, response);
    const result = handler.handle(body as never, context);
    return result instanceof Promise ? result.then(respond) : respond(result);
  };
}
