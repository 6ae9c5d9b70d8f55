/**
 * Codec benchmark: decoding Produce requests and encoding Fetch responses that carry 1 MiB of
 * record data, next to a plain Buffer.copy of the same bytes measured in the same run.
 * Run: npm run bench:codec
 */
import { ApiKey, FetchApi, ProduceApi } from '../src/protocol/generated/apis.js';
import { createFetchResponse, createFetchResponseFetchableTopicResponse, createFetchResponsePartitionData } from '../src/protocol/generated/clients/fetch-response.js';
import { createProduceRequest, createProduceRequestPartitionProduceData, createProduceRequestTopicProduceData } from '../src/protocol/generated/clients/produce-request.js';
import { decodeRequestFrame, encodeRequestFrame, encodeResponseFrame } from '../src/protocol/frames.js';
import { Writer } from '../src/protocol/writer.js';

const RECORD_BYTES = 1024 * 1024;
const MIN_SAMPLE_MS = 300;
const ROUNDS = 5;

/** Median nanoseconds per call of `fn`, over several rounds that each run at least MIN_SAMPLE_MS. */
function measure(fn: () => void): number {
  const perCall: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0;
    const start = process.hrtime.bigint();
    let elapsedNs = 0;
    while (elapsedNs < MIN_SAMPLE_MS * 1e6) {
      for (let i = 0; i < 64; i++) fn();
      calls += 64;
      elapsedNs = Number(process.hrtime.bigint() - start);
    }
    perCall.push(elapsedNs / calls);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)];
}

function recordChunks(partitions: number): Buffer[] {
  const size = RECORD_BYTES / partitions;
  return Array.from({ length: partitions }, (_, i) => Buffer.alloc(size, i));
}

function produceFrame(version: number, partitions: number): Buffer {
  const records = recordChunks(partitions);
  const request = createProduceRequest({
    acks: -1,
    timeoutMs: 30000,
    topicData: [
      createProduceRequestTopicProduceData({
        name: 'bench-topic',
        partitionData: records.map((r, index) => createProduceRequestPartitionProduceData({ index, records: r })),
      }),
    ],
  });
  const w = new Writer();
  encodeRequestFrame(w, ProduceApi, version, 1, 'bench', request);
  return w.finishToBuffer().subarray(4);
}

function fetchResponse(partitions: number) {
  const records = recordChunks(partitions);
  return createFetchResponse({
    responses: [
      createFetchResponseFetchableTopicResponse({
        topic: 'bench-topic',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
        partitions: records.map((r, partitionIndex) =>
          createFetchResponsePartitionData({ partitionIndex, highWatermark: 1_000_000, lastStableOffset: 1_000_000, logStartOffset: 0, records: r }),
        ),
      }),
    ],
  });
}

function main(): void {
  const source = Buffer.alloc(RECORD_BYTES, 7);
  const target = Buffer.alloc(RECORD_BYTES);
  const copyNs = measure(() => source.copy(target));
  const mbps = (ns: number): string => ((RECORD_BYTES / ns) * 1e3).toFixed(0);

  const rows: Array<[string, number]> = [];
  for (const [version, partitions] of [[8, 1], [9, 1], [9, 16], [11, 100]] as const) {
    const frame = produceFrame(version, partitions);
    rows.push([`decode Produce v${version} request, ${partitions} partition(s)`, measure(() => decodeRequestFrame(frame))]);
  }
  const w = new Writer();
  for (const [version, partitions] of [[11, 1], [12, 1], [12, 16], [16, 100]] as const) {
    const response = fetchResponse(partitions);
    rows.push([
      `encode Fetch v${version} response, ${partitions} partition(s)`,
      measure(() => {
        encodeResponseFrame(w, FetchApi, version, 1, response);
        w.finish();
      }),
    ]);
  }

  console.log(`codec benchmark: 1 MiB of record data per message (api keys ${ApiKey.Produce}/${ApiKey.Fetch}), median of ${ROUNDS} rounds`);
  console.log(`${'operation'.padEnd(48)} ${'ns/op'.padStart(10)} ${'MB/s'.padStart(10)} ${'cost vs copy'.padStart(13)}`);
  console.log(`${'Buffer.copy of the record bytes (baseline)'.padEnd(48)} ${copyNs.toFixed(0).padStart(10)} ${mbps(copyNs).padStart(10)} ${'1.000'.padStart(13)}`);
  for (const [name, ns] of rows) {
    console.log(`${name.padEnd(48)} ${ns.toFixed(0).padStart(10)} ${mbps(ns).padStart(10)} ${(ns / copyNs).toFixed(3).padStart(13)}`);
  }
  // The target is about record data: messages whose partitions carry at least 64 KiB each.
  const targeted = rows.filter(([name]) => / (1|16) partition/.test(name));
  const worst = Math.max(...targeted.map(([, ns]) => ns / copyNs));
  console.log(`target: cost < 0.1 of the copy for 1 MiB in partitions of >= 64 KiB; worst ${worst.toFixed(3)} -> ${worst < 0.1 ? 'met' : 'NOT met'}`);
  const perPartition = (operation: string): number => {
    const costs = rows.filter(([n]) => n.startsWith(operation)).map(([, ns]) => ns);
    return (costs[costs.length - 1] - costs[0]) / 99;
  };
  console.log(`fixed cost per extra partition: decode ~${perPartition('decode').toFixed(0)} ns, encode ~${perPartition('encode').toFixed(0)} ns`);
}

main();
