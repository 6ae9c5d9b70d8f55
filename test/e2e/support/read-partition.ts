import { BrokerConnection } from '../../../src/client/broker-connection.js';
import { FetchApi } from '../../../src/protocol/generated/apis.js';
import { createFetchRequest, createFetchRequestFetchPartition, createFetchRequestFetchTopic } from '../../../src/protocol/generated/clients/fetch-request.js';
import type { FetchResponsePartitionData } from '../../../src/protocol/generated/clients/fetch-response.js';
import { decodeBatchRecords } from '../../../src/protocol/records/batch-records.js';
import { RecordBatchHeader, LOG_OVERHEAD } from '../../../src/protocol/records/batch-header.js';
import { testConnectionOptions } from '../../support/connection-options.js';

export interface ReadRecord {
  offset: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

/** One Fetch (v11) of a partition from `fetchOffset` with Gregor's own client; a partition error throws. */
export async function fetchOnce(
  connection: BrokerConnection,
  topic: string,
  partition: number,
  fetchOffset: number,
  { isolationLevel = 0, maxBytes = 1 << 20 }: { isolationLevel?: number; maxBytes?: number } = {},
): Promise<FetchResponsePartitionData> {
  const response = await connection.send(
    FetchApi,
    11,
    createFetchRequest({
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes,
      isolationLevel,
      topics: [createFetchRequestFetchTopic({ topic, partitions: [createFetchRequestFetchPartition({ partition, fetchOffset, partitionMaxBytes: maxBytes })] })],
    }),
  );
  const data = response.responses[0].partitions[0];
  if (data.errorCode !== 0) throw new Error(`fetch of ${topic}-${partition} failed with error ${data.errorCode}`);
  return data;
}

/** The whole batches of a fetched records buffer; a batch cut off at the end is left out. */
export function wholeBatches(records: Buffer | null): RecordBatchHeader[] {
  const bytes = records ?? Buffer.alloc(0);
  const batches: RecordBatchHeader[] = [];
  for (let position = 0; position + LOG_OVERHEAD <= bytes.length; ) {
    const size = bytes.readInt32BE(position + 8) + LOG_OVERHEAD;
    if (position + size > bytes.length) break;
    batches.push(new RecordBatchHeader(bytes.subarray(position, position + size)));
    position += size;
  }
  return batches;
}

/** Every record of one partition, fetched with Gregor's own client from offset 0 to the high watermark. */
export async function readPartition(port: number, topic: string, partition: number): Promise<ReadRecord[]> {
  const connection = await BrokerConnection.open(testConnectionOptions(port, { clientId: 'e2e-reader' }));
  const out: ReadRecord[] = [];
  try {
    let next = 0;
    for (;;) {
      const data = await fetchOnce(connection, topic, partition, next);
      for (const batch of wholeBatches(data.records)) {
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
      }
      if (next >= data.highWatermark) return out;
    }
  } finally {
    await connection.close();
  }
}
