import { ManualClock } from '../../../src/util/clock.js';
import { SeededRandom } from '../../../src/util/random.js';
import type { ControllerResult } from '../../../src/metadata/controller/records.js';
import type { MetadataImage } from '../../../src/metadata/image.js';
import { decodeResponseFrame, encodeRequestFrame } from '../../../src/protocol/frames.js';
import type { ApiDefinition } from '../../../src/protocol/message-codec.js';
import { Writer } from '../../../src/protocol/writer.js';
import type { BrokerServices } from '../../../src/server/broker-services.js';
import type { ApiHandler } from '../../../src/server/handlers/handler.js';
import { HandlerRegistry } from '../../../src/server/handlers/registry.js';
import { createRequestDispatcher } from '../../../src/server/request-dispatcher.js';
import { clusterOf, replay } from '../../metadata/controller/support.js';

export const CONNECTION = { id: 'test-0', listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', remoteAddress: '127.0.0.1', remotePort: 1 };

/**
 * Broker services over an in-memory image: the controller applies each decision's records at
 * once, which is what a committed write looks like to a handler.
 */
export class TestCluster implements BrokerServices {
  readonly nodeId = 1;
  readonly clusterId = 'test-cluster-id-000000';
  readonly clock = new ManualClock(1_700_000_000_000);
  readonly random = new SeededRandom(42);
  current: MetadataImage;
  readonly controller = {
    write: async <T>(decide: (image: MetadataImage) => ControllerResult<T>): Promise<T> => {
      const { response, records } = decide(this.current);
      this.current = replay(this.current, records);
      return response;
    },
  };

  constructor(
    readonly staticProperties: Readonly<Record<string, string>> = {},
    image: MetadataImage = clusterOf(1),
  ) {
    this.current = image;
  }

  image(): MetadataImage {
    return this.current;
  }

  /** Sends `request` at `version` through the codec and the dispatcher, as a client would. */
  async call<Req, Res>(handlers: ApiHandler[], api: ApiDefinition<Req, Res>, version: number, request: Req): Promise<Res> {
    const dispatch = createRequestDispatcher(new HandlerRegistry(handlers));
    const w = new Writer();
    encodeRequestFrame(w, api, version, 7, 'test', request);
    const out = await dispatch(w.finishToBuffer().subarray(4), CONNECTION);
    if (out === null) throw new Error('no response');
    return decodeResponseFrame(Buffer.concat(out).subarray(4), api as ApiDefinition<unknown, Res>, version).body;
  }
}
