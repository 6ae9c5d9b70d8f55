import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any -- kafkajs internals are untyped CommonJS */
const KafkajsBroker = require('kafkajs/src/broker/index.js');
const ConnectionPool = require('kafkajs/src/network/connectionPool.js');
const socketFactory = require('kafkajs/src/network/socketFactory.js');
const { createLogger, LEVELS } = require('kafkajs/src/loggers/index.js');

/** A record as kafkajs decodes it from a fetch response. */
export interface KafkajsMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}

/** kafkajs's internal Broker for node `nodeId` at 127.0.0.1:`port`, connected and silent. */
export async function connectKafkajsBroker(port: number, nodeId: number, clientId = 'gregor-e2e-fetch'): Promise<any> {
  const logger = createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} });
  const connectionPool = new ConnectionPool({
    host: '127.0.0.1',
    port,
    logger,
    socketFactory: socketFactory(),
    requestTimeout: 30_000,
    connectionTimeout: 5_000,
    clientId,
  });
  const broker = new KafkajsBroker({ connectionPool, logger, nodeId });
  await broker.connect();
  return broker;
}

/**
 * kafkajs's Broker, the object its consumer fetches through once it has an assignment. The
 * consumer itself needs a group coordinator first, which Gregor does not have yet.
 */
export class KafkajsFetcher {
  private constructor(private readonly broker: any) {}

  static async connect(port: number, nodeId = 1): Promise<KafkajsFetcher> {
    return new KafkajsFetcher(await connectKafkajsBroker(port, nodeId));
  }

  /** Every record of one partition from offset `from` up to the high watermark. */
  async readPartition(topic: string, partition: number, from = 0): Promise<KafkajsMessage[]> {
    const out: KafkajsMessage[] = [];
    let next = from;
    for (;;) {
      const response = await this.broker.fetch({
        replicaId: -1,
        isolationLevel: 0,
        maxWaitTime: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        topics: [{ topic, partitions: [{ partition, fetchOffset: String(next), maxBytes: 1 << 20 }] }],
      });
      const data = response.responses[0].partitions[0];
      if (data.errorCode !== 0) throw new Error(`kafkajs fetch of ${topic}-${partition} failed with error ${data.errorCode}`);
      // A compressed batch comes back whole, so it may start before the offset asked for.
      const fresh = (data.messages as KafkajsMessage[]).filter((m) => Number(m.offset) >= next);
      out.push(...fresh);
      if (fresh.length > 0) next = Number(fresh[fresh.length - 1].offset) + 1;
      if (next >= Number(data.highWatermark)) return out;
      if (fresh.length === 0) throw new Error(`kafkajs fetch of ${topic}-${partition} at ${next} returned nothing below ${data.highWatermark}`);
    }
  }

  disconnect(): Promise<void> {
    return this.broker.disconnect();
  }
}
