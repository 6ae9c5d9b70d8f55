import type { FieldSpec, MessageSpec } from './spec.js';

/**
 * Message versions newer than the Kafka 3.9 definitions that current clients already send
 * (see ../shared/kafka-spec/README.md). Applied on top of the 3.9 files instead of editing them.
 */
const SUBSCRIBED_TOPIC_REGEX: FieldSpec = {
  name: 'SubscribedTopicRegex',
  type: 'string',
  versions: '1+',
  nullableVersions: '1+',
  default: 'null',
  about: 'null if it did not change since the last heartbeat; the subscribed topic regex otherwise (KIP-848, Kafka 4.0).',
};

const MEMBER_TYPE: FieldSpec = {
  name: 'MemberType',
  type: 'int8',
  versions: '1+',
  default: '-1',
  ignorable: true,
  about: '-1 for unknown. 0 for classic member. +1 for consumer member (Kafka 4.0).',
};

function insertAfter(fields: FieldSpec[], anchor: string, added: FieldSpec): FieldSpec[] {
  const at = fields.findIndex((f) => f.name === anchor);
  if (at < 0) throw new Error(`overlay anchor ${anchor} not found`);
  return [...fields.slice(0, at + 1), added, ...fields.slice(at + 1)];
}

function mapField(fields: FieldSpec[], name: string, change: (f: FieldSpec) => FieldSpec): FieldSpec[] {
  if (!fields.some((f) => f.name === name)) throw new Error(`overlay field ${name} not found`);
  return fields.map((f) => (f.name === name ? change(f) : f));
}

const OVERLAYS: Record<string, (spec: MessageSpec) => MessageSpec> = {
  ConsumerGroupHeartbeatRequest: (spec) => ({
    ...spec,
    validVersions: '0-1',
    fields: insertAfter(spec.fields, 'SubscribedTopicNames', SUBSCRIBED_TOPIC_REGEX),
  }),
  ConsumerGroupHeartbeatResponse: (spec) => ({ ...spec, validVersions: '0-1' }),
  ConsumerGroupDescribeRequest: (spec) => ({ ...spec, validVersions: '0-1' }),
  ConsumerGroupDescribeResponse: (spec) => ({
    ...spec,
    validVersions: '0-1',
    fields: mapField(spec.fields, 'Groups', (groups) => ({
      ...groups,
      fields: mapField(groups.fields ?? [], 'Members', (members) => ({
        ...members,
        fields: [...(members.fields ?? []), MEMBER_TYPE],
      })),
    })),
  }),
};

export function applyOverlay(spec: MessageSpec): MessageSpec {
  const overlay = OVERLAYS[spec.name];
  return overlay ? overlay(spec) : spec;
}
