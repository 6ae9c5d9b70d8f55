import { BrokerConnection } from '../../../src/client/broker-connection.js';
import { FetchApi } from '../../../src/protocol/generated/apis.js';
import { createFetchRequest, createFetchRequestFetchPartition, createFetchRequestFetchTopic } from '../../../src/protocol/generated/clients/fetch-request.js';
import { decodeBatchRecords } from '../../../src/protocol/records/batch-records.js';
import { RecordBatchHeader, LOG_OVERHEAD } from '../../../src/protocol/records/batch-header.js';
import { testConnectionOptions } from '../../support/connection-options.js';

export interface ReadRecord {
  offset: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

/** Every record of one partition, fetched with Gregor's own client from offset 0 to the high watermark. */
export async function readPartition(port: number, topic: string, partition: number): Promise<ReadRecord[]> {
  const connection = await BrokerConnection.open(testConnectionOptions(port, { clientId: 'e2e-reader' }));
  const out: ReadRecord[] = [];
  try {
    let next = 0;
    for (;;) {
      const response = await connection.send(
        FetchApi,
        11,
        createFetchRequest({
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          topics: [
            createFetchRequestFetchTopic({
              topic,
              partitions: [createFetchRequestFetchPartition({ partition, fetchOffset: next, partitionMaxBytes: 1 << 20 })],
            }),
          ],
        }),
      );
      const data = response.responses[0].partitions[0];
      if (data.errorCode !== 0) throw new Error(`fetch of ${topic}-${partition} failed with error ${data.errorCode}`);
      const records = data.records ?? Buffer.alloc(0);
      let position = 0;
      while (position + LOG_OVERHEAD <= records.length) {
        const size = records.readInt32BE(position + 8) + LOG_OVERHEAD;
        const batch = new RecordBatchHeader(records.subarray(position, position + size));
        for (const r of decodeBatchRecords(batch)) {
          const offset = batch.baseOffset + r.offsetDelta;
          if (offset >= next) {
            out.push({
              offset,
              key: r.key?.toString() ?? null,
              value: r.value?.toString() ?? null,
              headers: r.headers.map((h) => [h.key, h.value?.toString() ?? null]),
            });
          }
        }
        next = batch.lastOffset + 1;
        position += size;
      }
      if (next >= data.highWatermark) return out;
    }
  } finally {
    await connection.close();
  }
}
