import { decodeResponseFrame, encodeRequestFrame } from '../../../src/protocol/frames.js';
import type { ApiDefinition } from '../../../src/protocol/message-codec.js';
import { Writer } from '../../../src/protocol/writer.js';
import { produceHandler } from '../../../src/server/handlers/00-produce.js';
import { fetchHandler } from '../../../src/server/handlers/01-fetch.js';
import { listOffsetsHandler } from '../../../src/server/handlers/02-list-offsets.js';
import { deleteRecordsHandler } from '../../../src/server/handlers/21-delete-records.js';
import { offsetForLeaderEpochHandler } from '../../../src/server/handlers/23-offset-for-leader-epoch.js';
import { type DiskStats, describeLogDirsHandler } from '../../../src/server/handlers/35-describe-log-dirs.js';
import type { ApiHandler } from '../../../src/server/handlers/handler.js';
import { HandlerRegistry } from '../../../src/server/handlers/registry.js';
import { createRequestDispatcher } from '../../../src/server/request-dispatcher.js';
import type { ReplicaManager } from '../../../src/replication/replica-manager.js';
import { batchOf, DataPlane } from '../../replication/support.js';

export const CONNECTION = { id: 'test-0', listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', remoteAddress: '127.0.0.1', remotePort: 1 };

export const FIXED_DISK: DiskStats = () => ({ totalBytes: 1000, usableBytes: 400 });

/** The data-plane handlers over one replica manager, as the broker registers them. */
export function dataPlaneHandlers(replicas: ReplicaManager, diskStats: DiskStats = FIXED_DISK): ApiHandler[] {
  return [
    produceHandler(replicas),
    fetchHandler(replicas),
    listOffsetsHandler(replicas),
    deleteRecordsHandler(replicas),
    offsetForLeaderEpochHandler(replicas),
    describeLogDirsHandler(replicas, diskStats),
  ] as ApiHandler[];
}

/** Sends requests through the codec and the dispatcher, as a client on one connection would. */
export class WireClient {
  private readonly dispatch;
  private correlationId = 0;

  constructor(handlers: readonly ApiHandler[]) {
    this.dispatch = createRequestDispatcher(new HandlerRegistry(handlers));
  }

  /** Encodes the request at `version`, dispatches it and decodes the answer; null when none is sent. */
  async call<Req, Res>(api: ApiDefinition<Req, Res>, version: number, request: Req, clientId = 'test-client'): Promise<Res | null> {
    const w = new Writer();
    const correlationId = ++this.correlationId;
    encodeRequestFrame(w, api, version, correlationId, clientId, request);
    const out = await this.dispatch(w.finishToBuffer().subarray(4), CONNECTION);
    if (out === null) return null;
    const frame = Buffer.concat(out);
    const decoded = decodeResponseFrame(frame.subarray(4), api as ApiDefinition<unknown, Res>, version);
    if (decoded.correlationId !== correlationId) throw new Error(`correlation id ${decoded.correlationId}, expected ${correlationId}`);
    return decoded.body;
  }

  /** As `call`, for requests that must be answered. */
  async answer<Req, Res>(api: ApiDefinition<Req, Res>, version: number, request: Req, clientId?: string): Promise<Res> {
    const response = await this.call(api, version, request, clientId);
    if (response === null) throw new Error(`no response from ${api.name} v${version}`);
    return response;
  }
}

/** Every version of an API the handler serves. */
export function versions(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** orders-0 with offsets 0-1 in leader epoch 0 and offset 2 in epoch 1, and a client for it. */
export async function ordersInTwoEpochs(diskStats?: DiskStats): Promise<{ plane: DataPlane; client: WireClient }> {
  const plane = await DataPlane.start();
  await plane.createTopic('orders');
  await plane.produce('orders', 0, batchOf(['a', 'b']));
  await plane.changeLeader('orders', 0, 1);
  await plane.produce('orders', 0, batchOf(['c']));
  return { plane, client: new WireClient(dataPlaneHandlers(plane.replicas, diskStats)) };
}
