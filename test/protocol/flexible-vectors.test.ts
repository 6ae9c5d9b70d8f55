/**
 * Flexible versions (KIP-482), which kafkajs barely uses, checked against bytes written by hand
 * from the rules of Kafka's protocol guide:
 * - compact strings, bytes and arrays carry an unsigned varint of length + 1; 0 means null;
 * - every struct ends with a tagged-field section: a count, then (tag, size, data) in ascending
 *   tag order, all varints; tagged fields at their default are left out;
 * - request header v2 adds a tagged-field section but keeps client_id a classic nullable string;
 * - response header v1 adds a tagged-field section, except that ApiVersions responses always use
 *   response header v0.
 */
import { describe, expect, it } from 'vitest';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from '../../src/protocol/frames.js';
import { ApiVersionsApi, CreateTopicsApi, FetchApi, FindCoordinatorApi, MetadataApi } from '../../src/protocol/generated/apis.js';
import { type ApiVersionsRequest, createApiVersionsRequest } from '../../src/protocol/generated/clients/api-versions-request.js';
import {
  type ApiVersionsResponse,
  createApiVersionsResponse,
  createApiVersionsResponseApiVersion,
  createApiVersionsResponseSupportedFeatureKey,
} from '../../src/protocol/generated/clients/api-versions-response.js';
import {
  type CreateTopicsResponse,
  createCreateTopicsResponse,
  createCreateTopicsResponseCreatableTopicConfigs,
  createCreateTopicsResponseCreatableTopicResult,
} from '../../src/protocol/generated/clients/create-topics-response.js';
import {
  type FetchResponse,
  createFetchResponse,
  createFetchResponseEpochEndOffset,
  createFetchResponseFetchableTopicResponse,
  createFetchResponseLeaderIdAndEpoch,
  createFetchResponseNodeEndpoint,
  createFetchResponsePartitionData,
  createFetchResponseSnapshotId,
} from '../../src/protocol/generated/clients/fetch-response.js';
import { type FindCoordinatorRequest, createFindCoordinatorRequest } from '../../src/protocol/generated/clients/find-coordinator-request.js';
import { type MetadataRequest, createMetadataRequest, createMetadataRequestTopic } from '../../src/protocol/generated/clients/metadata-request.js';
import { decodeRequestHeader, encodeRequestHeader } from '../../src/protocol/generated/clients/request-header.js';
import { decodeResponseHeader, encodeResponseHeader } from '../../src/protocol/generated/clients/response-header.js';
import type { ApiDefinition } from '../../src/protocol/message-codec.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { hex, utf8 } from './support/hex.js';

/** Prefixes the int32 frame size, the one part of each vector not worth counting by hand. */
function sized(frame: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length);
  return Buffer.concat([size, frame]);
}

function requestFrame<Req>(api: ApiDefinition<Req, unknown>, version: number, correlationId: number, clientId: string | null, body: Req): Buffer {
  const w = new Writer();
  encodeRequestFrame(w, api, version, correlationId, clientId, body);
  return w.finishToBuffer();
}

function responseFrame<Res>(api: ApiDefinition<unknown, Res>, version: number, correlationId: number, body: Res): Buffer {
  const w = new Writer();
  encodeResponseFrame(w, api, version, correlationId, body);
  return w.finishToBuffer();
}

/** Checks both directions: our encoding is `bytes`, and `bytes` decodes to `body`. */
function expectRequest<Req>(api: ApiDefinition<Req, unknown>, version: number, clientId: string | null, body: Req, bytes: Buffer): void {
  expect(requestFrame(api, version, 42, clientId, body).toString('hex')).toBe(bytes.toString('hex'));
  const decoded = decodeRequestFrame(bytes.subarray(4));
  expect(decoded).toMatchObject({ kind: 'ok', header: { requestApiKey: api.key, requestApiVersion: version, correlationId: 42, clientId }, body });
}

function expectResponse<Res>(api: ApiDefinition<unknown, Res>, version: number, body: Res, bytes: Buffer): void {
  expect(responseFrame(api, version, 42, body).toString('hex')).toBe(bytes.toString('hex'));
  expect(decodeResponseFrame(bytes.subarray(4), api, version)).toEqual({ correlationId: 42, body });
}

const TOPIC_ID_HEX = '0123456789abcdef0123456789abcdef';
const TOPIC_ID = Buffer.from(TOPIC_ID_HEX, 'hex').toString('base64url');

describe('request header v2', () => {
  it('ApiVersions v3 request: client software name and version as compact strings', () => {
    const body: ApiVersionsRequest = createApiVersionsRequest({ clientSoftwareName: 'gregor-test', clientSoftwareVersion: '1.0.0-β' });
    const bytes = sized(hex`
      0012                  # api key 18 (ApiVersions)
      0003                  # api version 3
      0000002a              # correlation id 42
      0006 ${utf8('gregor')} # client id: int16 length 6, still not compact in header v2
      00                    # header tagged fields: none
      0c ${utf8('gregor-test')} # client software name: compact, 11 bytes + 1
      09 ${utf8('1.0.0-β')} # client software version: 8 UTF-8 bytes + 1 (β is two bytes)
      00                    # body tagged fields: none
    `);
    expectRequest(ApiVersionsApi, 3, 'gregor', body, bytes);
  });

  it('writes a null client id as int16 -1, not as a compact null', () => {
    const bytes = sized(hex`
      0012 0003 0000002a    # ApiVersions v3, correlation id 42
      ffff                  # client id: null
      00                    # header tagged fields: none
      01 01 00              # empty software name and version, no tagged fields
    `);
    expectRequest(ApiVersionsApi, 3, null, createApiVersionsRequest(), bytes);
  });

  it('keeps unknown header tagged fields and writes them back', () => {
    const bytes = hex`
      0003 000c 00000007    # Metadata v12, correlation id 7
      0001 ${utf8('c')}     # client id "c"
      02                    # two tagged fields
      05 02 abcd            # tag 5, 2 bytes
      ac02 01 ee            # tag 300 (varint ac 02), 1 byte
    `;
    const r = new Reader(bytes);
    const header = decodeRequestHeader(r, 2);
    expect(header).toEqual({
      requestApiKey: 3,
      requestApiVersion: 12,
      correlationId: 7,
      clientId: 'c',
      unknownTaggedFields: [
        { tag: 5, data: hex`abcd` },
        { tag: 300, data: hex`ee` },
      ],
    });
    const w = new Writer();
    encodeRequestHeader(w, 2, header);
    expect(w.finishToBuffer().toString('hex')).toBe(bytes.toString('hex'));
  });
});

describe('compact arrays, nullable strings and uuids', () => {
  it('Metadata v12 request: topic ids, a null topic name and booleans', () => {
    const body: MetadataRequest = createMetadataRequest({
      topics: [createMetadataRequestTopic({ topicId: TOPIC_ID, name: null }), createMetadataRequestTopic({ name: 'orders' })],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: true,
    });
    const bytes = sized(hex`
      0003 000c 0000002a 0006 ${utf8('gregor')} 00  # Metadata v12 request header v2
      03                                # topics: compact array of 2
        ${TOPIC_ID_HEX}                 #   topic id
        00                              #   name: null
        00                              #   tagged fields: none
        00000000000000000000000000000000 #  topic id: zero uuid
        07 ${utf8('orders')}            #   name: 6 bytes + 1
        00                              #   tagged fields: none
      00                                # allow auto topic creation: false
      01                                # include topic authorized operations: true
      00                                # tagged fields: none
    `);
    expectRequest(MetadataApi, 12, 'gregor', body, bytes);
  });

  it('Metadata v12 request: null topics (all topics) as compact 0', () => {
    const bytes = sized(hex`
      0003 000c 0000002a 0006 ${utf8('gregor')} 00  # Metadata v12 request header v2
      00                                # topics: null
      01 00                             # allow auto topic creation: true; authorized operations: false
      00                                # tagged fields: none
    `);
    expectRequest(MetadataApi, 12, 'gregor', createMetadataRequest({ topics: null }), bytes);
  });
});

describe('tagged fields', () => {
  it('Fetch v12 response: DivergingEpoch, CurrentLeader and SnapshotId in tag order', () => {
    const body: FetchResponse = createFetchResponse({
      sessionId: 12345,
      responses: [
        createFetchResponseFetchableTopicResponse({
          topic: 'orders',
          partitions: [
            createFetchResponsePartitionData({
              highWatermark: 100,
              lastStableOffset: 100,
              logStartOffset: 0,
              divergingEpoch: createFetchResponseEpochEndOffset({ epoch: 5, endOffset: 42 }),
              currentLeader: createFetchResponseLeaderIdAndEpoch({ leaderId: 2, leaderEpoch: 7 }),
              snapshotId: createFetchResponseSnapshotId({ endOffset: 100, epoch: 4 }),
              abortedTransactions: null,
              records: hex`aabbcc`,
            }),
          ],
        }),
      ],
    });
    const bytes = sized(hex`
      0000002a                          # correlation id 42
      00                                # response header v1 tagged fields: none
      00000000                          # throttle time
      0000                              # error code
      00003039                          # session id 12345
      02                                # responses: 1
        07 ${utf8('orders')}            #   topic name (v12 still has names)
        02                              #   partitions: 1
          00000000                      #     partition 0
          0000                          #     error code
          0000000000000064              #     high watermark 100
          0000000000000064              #     last stable offset 100
          0000000000000000              #     log start offset 0
          00                            #     aborted transactions: null
          ffffffff                      #     preferred read replica -1
          04 aabbcc                     #     records: 3 bytes + 1
          03                            #     tagged fields: 3
            00 0d                       #       tag 0 DivergingEpoch, 13 bytes:
              00000005 000000000000002a 00 #      epoch 5, end offset 42, no tagged fields
            01 09                       #       tag 1 CurrentLeader, 9 bytes:
              00000002 00000007 00      #         leader 2, epoch 7, no tagged fields
            02 0d                       #       tag 2 SnapshotId, 13 bytes:
              0000000000000064 00000004 00 #      end offset 100, epoch 4, no tagged fields
        00                              #   topic tagged fields: none
      00                                # tagged fields: none
    `);
    expectResponse(FetchApi, 12, body, bytes);
  });

  it('Fetch v16 response: topic ids, defaults left out, NodeEndpoints as top-level tag 0', () => {
    const body = createFetchResponse({
      responses: [createFetchResponseFetchableTopicResponse({ topicId: TOPIC_ID, partitions: [createFetchResponsePartitionData({ partitionIndex: 1, errorCode: 74 })] })],
      nodeEndpoints: [createFetchResponseNodeEndpoint({ nodeId: 3, host: 'b1', port: 9092, rack: null })],
    });
    const bytes = sized(hex`
      0000002a 00                       # correlation id 42, header v1 without tagged fields
      00000000 0000 00000000            # throttle time, error code, session id
      02                                # responses: 1
        ${TOPIC_ID_HEX}                 #   topic id (v13+)
        02                              #   partitions: 1
          00000001 004a                 #     partition 1, error 74 (FENCED_LEADER_EPOCH)
          0000000000000000              #     high watermark 0
          ffffffffffffffff              #     last stable offset -1 (default)
          ffffffffffffffff              #     log start offset -1 (default)
          01                            #     aborted transactions: empty
          ffffffff                      #     preferred read replica -1
          00                            #     records: null
          00                            #     tagged fields: all at default, so none
        00                              #   topic tagged fields: none
      01                                # tagged fields: 1
        00 0e                           #   tag 0 NodeEndpoints, 14 bytes:
          02                            #     1 endpoint
            00000003 03 ${utf8('b1')} 00002384 #  node 3, host "b1", port 9092
            00 00                       #       rack: null; no tagged fields
    `);
    expectResponse(FetchApi, 16, body, bytes);
  });

  it('CreateTopics v5 response: tagged TopicConfigErrorCode', () => {
    const body: CreateTopicsResponse = createCreateTopicsResponse({
      topics: [
        createCreateTopicsResponseCreatableTopicResult({
          name: 'orders',
          errorMessage: null,
          topicConfigErrorCode: 29,
          numPartitions: 3,
          replicationFactor: 2,
          configs: [createCreateTopicsResponseCreatableTopicConfigs({ name: 'cleanup.policy', value: 'compact', configSource: 5 })],
        }),
      ],
    });
    const bytes = sized(hex`
      0000002a 00                       # correlation id 42, header v1 without tagged fields
      00000000                          # throttle time
      02                                # topics: 1
        07 ${utf8('orders')}            #   name
        0000                            #   error code
        00                              #   error message: null
        00000003                        #   partitions 3
        0002                            #   replication factor 2
        02                              #   configs: 1
          0f ${utf8('cleanup.policy')}  #     name: 14 bytes + 1
          08 ${utf8('compact')}         #     value: 7 bytes + 1
          00 05 00                      #     read only false, source 5 (DEFAULT_CONFIG), not sensitive
          00                            #     tagged fields: none
        01                              #   tagged fields: 1
          00 02 001d                    #     tag 0 TopicConfigErrorCode, 2 bytes: 29
      00                                # tagged fields: none
    `);
    expectResponse(CreateTopicsApi, 5, body, bytes);
  });

  it('merges known and unknown tagged fields in ascending tag order', () => {
    const topic = createCreateTopicsResponseCreatableTopicResult({
      name: 'o',
      topicConfigErrorCode: 29,
      configs: null,
      // Out of order on purpose: the encoder must sort them after the known tag 0.
      unknownTaggedFields: [
        { tag: 3, data: hex`03` },
        { tag: 1, data: hex`0101` },
      ],
    });
    const bytes = sized(hex`
      0000002a 00 00000000              # correlation id 42, no header tags, throttle time
      02                                # topics: 1
        02 ${utf8('o')} 0000 01         #   name "o", error 0, error message ""
        ffffffff ffff                   #   partitions -1, replication factor -1
        00                              #   configs: null
        03                              #   tagged fields: 3
          00 02 001d                    #     tag 0 (known): TopicConfigErrorCode 29
          01 02 0101                    #     tag 1 (unknown)
          03 01 03                      #     tag 3 (unknown)
      00                                # tagged fields: none
    `);
    const body = createCreateTopicsResponse({ topics: [topic] });
    expect(responseFrame(CreateTopicsApi, 5, 42, body).toString('hex')).toBe(bytes.toString('hex'));
    const decoded = decodeResponseFrame(bytes.subarray(4), CreateTopicsApi, 5).body.topics[0];
    expect(decoded.topicConfigErrorCode).toBe(29);
    expect(decoded.unknownTaggedFields).toEqual([
      { tag: 1, data: hex`0101` },
      { tag: 3, data: hex`03` },
    ]);
  });

  it('keeps unknown tagged fields of a request body and re-emits them unchanged', () => {
    const bytes = sized(hex`
      000a 0004 0000002a 0006 ${utf8('gregor')} 00 # FindCoordinator v4 request header v2
      01                                # key type 1 (transaction)
      02 06 ${utf8('txn-1')}            # coordinator keys: ["txn-1"]
      02                                # tagged fields: 2, neither known to v4
        05 02 abcd                      #   tag 5, 2 bytes
        ac02 81 01 ${'ff'.repeat(129)}  #   tag 300, 129 bytes (both varints take two bytes)
    `);
    const body: FindCoordinatorRequest = createFindCoordinatorRequest({
      keyType: 1,
      coordinatorKeys: ['txn-1'],
      unknownTaggedFields: [
        { tag: 5, data: hex`abcd` },
        { tag: 300, data: Buffer.alloc(129, 0xff) },
      ],
    });
    expectRequest(FindCoordinatorApi, 4, 'gregor', body, bytes);
    const decoded = decodeRequestFrame(bytes.subarray(4));
    if (decoded.kind !== 'ok') throw new Error(decoded.kind);
    expect(requestFrame(FindCoordinatorApi, 4, 42, 'gregor', decoded.body as FindCoordinatorRequest).toString('hex')).toBe(bytes.toString('hex'));
  });
});

describe('response headers', () => {
  it('ApiVersions v3 response keeps response header v0 while its body is flexible', () => {
    const body: ApiVersionsResponse = createApiVersionsResponse({
      apiKeys: [createApiVersionsResponseApiVersion({ apiKey: 18, minVersion: 0, maxVersion: 4 })],
      supportedFeatures: [createApiVersionsResponseSupportedFeatureKey({ name: 'metadata.version', minVersion: 1, maxVersion: 21 })],
      finalizedFeaturesEpoch: 7,
    });
    const bytes = sized(hex`
      0000002a                          # correlation id 42, and no header tagged fields (header v0)
      0000                              # error code
      02                                # api keys: 1
        0012 0000 0004 00               #   ApiVersions 0-4, no tagged fields
      00000000                          # throttle time
      02                                # tagged fields: 2
        00 17                           #   tag 0 SupportedFeatures, 23 bytes:
          02                            #     1 feature
            11 ${utf8('metadata.version')} # name: 16 bytes + 1
            0001 0015 00                #       versions 1-21, no tagged fields
        01 08 0000000000000007          #   tag 1 FinalizedFeaturesEpoch: 7
    `);
    expectResponse(ApiVersionsApi, 3, body, bytes);
  });

  it('response header v1 keeps unknown tagged fields, and frames skip them', () => {
    const header = hex`
      0000002a                          # correlation id 42
      01 0a 02 beef                     # tagged fields: tag 10, 2 bytes
    `;
    const decoded = decodeResponseHeader(new Reader(header), 1);
    expect(decoded).toEqual({ correlationId: 42, unknownTaggedFields: [{ tag: 10, data: hex`beef` }] });
    const w = new Writer();
    encodeResponseHeader(w, 1, decoded);
    expect(w.finishToBuffer().toString('hex')).toBe(header.toString('hex'));

    const frame = Buffer.concat([header, hex`00000000 01 00  # CreateTopics v5: throttle time, no topics, no tagged fields`]);
    expect(decodeResponseFrame(frame, CreateTopicsApi, 5)).toEqual({ correlationId: 42, body: createCreateTopicsResponse({ topics: [] }) });
  });
});
