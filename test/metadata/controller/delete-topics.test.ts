import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../../src/protocol/codec-runtime.js';
import { ConfigResourceType } from '../../../src/protocol/config-resource-type.js';
import { createDeleteTopicsRequest, createDeleteTopicsRequestDeleteTopicState } from '../../../src/protocol/generated/clients/delete-topics-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { deleteTopics } from '../../../src/metadata/controller/delete-topics.js';
import { configRecord } from '../../../src/metadata/controller/config-changes.js';
import { clusterOf, replay, typesOf, withTopic } from './support.js';

const image = replay(withTopic(withTopic(withTopic(clusterOf(1), 'orders', 2, 1), 'payments', 1, 1), '__consumer_offsets', 1, 1), [
  configRecord({ type: ConfigResourceType.TOPIC, name: 'orders' }, 'retention.ms', '1000'),
]);
const idOf = (name: string) => image.topicsByName.get(name)!.id;

function byNames(names: string[], version = 5, deleteTopicEnable = true) {
  return deleteTopics(image, createDeleteTopicsRequest({ topicNames: names }), version, deleteTopicEnable);
}

function byState(topics: { name?: string | null; topicId?: string }[], deleteTopicEnable = true) {
  const request = createDeleteTopicsRequest({ topics: topics.map((t) => createDeleteTopicsRequestDeleteTopicState({ name: null, ...t })) });
  return deleteTopics(image, request, 6, deleteTopicEnable);
}

const summary = (results: { name: string | null; topicId: string; errorCode: number; errorMessage: string | null }[]) =>
  results.map(({ name, topicId, errorCode, errorMessage }) => ({ name, topicId, errorCode, errorMessage }));

describe('deleteTopics', () => {
  it('deletes topics by name with one RemoveTopicRecord each, dropping their configs on replay', () => {
    const { response, records } = byNames(['orders', 'payments']);
    expect(summary(response)).toEqual([
      { name: 'orders', topicId: idOf('orders'), errorCode: 0, errorMessage: null },
      { name: 'payments', topicId: idOf('payments'), errorCode: 0, errorMessage: null },
    ]);
    expect(typesOf(records)).toEqual(['RemoveTopicRecord', 'RemoveTopicRecord']);
    const after = replay(image, records);
    expect([...after.topicsByName.keys()]).toEqual(['__consumer_offsets']);
    expect(after.topicConfigs('orders').size).toBe(0);
  });

  it('answers an unknown name with UNKNOWN_TOPIC_OR_PARTITION and an unknown id with UNKNOWN_TOPIC_ID', () => {
    expect(summary(byNames(['nope']).response)).toEqual([
      { name: 'nope', topicId: ZERO_UUID, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' },
    ]);
    const unknownId = 'AAAAAAAAAAAAAAAAAAAAAg';
    expect(summary(byState([{ topicId: unknownId }]).response)).toEqual([
      { name: null, topicId: unknownId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.' },
    ]);
  });

  it('deletes by id (v6) and names the deleted topic in the answer', () => {
    const { response, records } = byState([{ topicId: idOf('payments') }, { name: 'orders' }]);
    expect(summary(response)).toEqual([
      { name: 'payments', topicId: idOf('payments'), errorCode: 0, errorMessage: null },
      { name: 'orders', topicId: idOf('orders'), errorCode: 0, errorMessage: null },
    ]);
    expect(records).toHaveLength(2);
  });

  it('refuses entries with both or neither of name and id', () => {
    const { response, records } = byState([{ name: 'orders', topicId: idOf('orders') }, {}]);
    expect(records).toEqual([]);
    expect(summary(response)).toEqual([
      { name: 'orders', topicId: idOf('orders'), errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'You may not specify both topic name and topic id.' },
      { name: null, topicId: ZERO_UUID, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Neither topic name nor id were specified.' },
    ]);
  });

  it('answers a name or id given twice once, with INVALID_REQUEST, and deletes nothing for it', () => {
    const names = byNames(['orders', 'payments', 'orders']);
    expect(summary(names.response)).toEqual([
      { name: 'orders', topicId: ZERO_UUID, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' },
      { name: 'payments', topicId: idOf('payments'), errorCode: 0, errorMessage: null },
    ]);
    expect(names.records).toHaveLength(1);
    const ids = byState([{ topicId: idOf('orders') }, { topicId: idOf('orders') }]);
    expect(summary(ids.response)).toEqual([
      { name: null, topicId: idOf('orders'), errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic id.' },
    ]);
    expect(ids.records).toEqual([]);
  });

  it('refuses a name whose id was also given, answering for the name only', () => {
    const { response, records } = byState([{ topicId: idOf('orders') }, { name: 'orders' }, { name: 'payments' }]);
    expect(records).toHaveLength(1);
    expect(summary(response)).toEqual([
      { name: 'orders', topicId: idOf('orders'), errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'The provided topic name maps to an ID that was already supplied.' },
      { name: 'payments', topicId: idOf('payments'), errorCode: 0, errorMessage: null },
    ]);
  });

  it('answers every topic with TOPIC_DELETION_DISABLED when delete.topic.enable is false, INVALID_REQUEST before v3', () => {
    const disabled = byNames(['orders', 'nope'], 3, false);
    expect(disabled.records).toEqual([]);
    expect(disabled.response.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([
      ['orders', ErrorCode.TOPIC_DELETION_DISABLED, null],
      ['nope', ErrorCode.TOPIC_DELETION_DISABLED, null],
    ]);
    expect(byNames(['orders'], 2, false).response.map((r) => [r.errorCode, r.errorMessage])).toEqual([
      [ErrorCode.INVALID_REQUEST, 'Topic deletion is disabled.'],
    ]);
    expect(byState([{ topicId: idOf('orders') }], false).response[0]).toMatchObject({ name: null, topicId: idOf('orders'), errorCode: ErrorCode.TOPIC_DELETION_DISABLED });
  });

  it('deletes internal topics, as Kafka does; __cluster_metadata is no topic', () => {
    const { response } = byNames(['__consumer_offsets', '__cluster_metadata']);
    expect(response.map((r) => [r.name, r.errorCode])).toEqual([
      ['__consumer_offsets', 0],
      ['__cluster_metadata', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
  });

  it('answers in the order of the request', () => {
    const { response } = byState([{ name: 'nope' }, { topicId: idOf('orders') }, {}, { name: 'payments' }]);
    expect(response.map((r) => r.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0, ErrorCode.INVALID_REQUEST, 0]);
  });
});
