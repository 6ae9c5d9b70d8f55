import { describe, expect, it } from 'vitest';
import {
  type AlterResult,
  alterBrokerConfigs,
  alterTopicConfigs,
  incrementalAlterBrokerConfigs,
  incrementalAlterTopicConfigs as alterTopic,
} from '../../src/config/alter.js';
import { AlterConfigOp } from '../../src/config/kafka-codes.js';
import type { BrokerConfigLayers } from '../../src/config/layers.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';

const { SET, DELETE, APPEND, SUBTRACT } = AlterConfigOp;
const layers = (l: Partial<BrokerConfigLayers> = {}): BrokerConfigLayers => ({ static: {}, clusterDefaults: {}, broker: {}, ...l });

function op(name: string, configOperation: number, value: string | null = null) {
  return { name, configOperation, value };
}

function configs(result: AlterResult): Record<string, string> {
  if (!result.ok) throw new Error(result.error.message);
  return { ...result.configs };
}

function failure(result: AlterResult): [number, string] {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.configs)}`);
  return [result.error.errorCode, result.error.message];
}

describe('alterTopicConfigs (CreateTopics, AlterConfigs)', () => {
  it('returns the given configs as the complete set of overrides', () => {
    expect(configs(alterTopicConfigs([{ name: 'retention.ms', value: '1000' }, { name: 'cleanup.policy', value: 'compact' }], layers()))).toEqual({
      'retention.ms': '1000',
      'cleanup.policy': 'compact',
    });
    expect(configs(alterTopicConfigs([], layers()))).toEqual({});
  });

  it('answers INVALID_CONFIG naming every problem', () => {
    const result = alterTopicConfigs(
      [
        { name: 'retention.ms', value: '-2' },
        { name: 'retention.msec', value: '1' },
        { name: 'message.format.version', value: '2.8' },
        { name: 'log.retention.ms', value: '1' },
        { name: 'segment.bytes', value: null },
      ],
      layers(),
    );
    expect(failure(result)).toEqual([
      ErrorCode.INVALID_CONFIG,
      [
        'retention.msec=1: unknown topic config (did you mean retention.ms?)',
        'message.format.version=2.8: not supported by Gregor',
        'log.retention.ms=1: a broker property, not a topic config; the topic config is retention.ms',
        'segment.bytes=null: a value is required',
        'retention.ms=-2: out of range (expected a long >= -1)',
      ].join('; '),
    ]);
  });

  it('answers INVALID_REQUEST for a name given twice', () => {
    const result = alterTopicConfigs([{ name: 'retention.ms', value: '1' }, { name: 'retention.ms', value: '2' }], layers());
    expect(failure(result)).toEqual([ErrorCode.INVALID_REQUEST, 'config retention.ms appears more than once']);
  });

  it('checks the compaction lags against the values the topic inherits', () => {
    const result = alterTopicConfigs([{ name: 'min.compaction.lag.ms', value: '5000' }], layers({ static: { 'log.cleaner.max.compaction.lag.ms': '1000' } }));
    expect(failure(result)).toEqual([ErrorCode.INVALID_CONFIG, 'min.compaction.lag.ms=5000: exceeds max.compaction.lag.ms (1000)']);
  });
});

describe('incrementalAlterTopicConfigs', () => {
  const current = { 'retention.ms': '1000', 'cleanup.policy': 'compact' };

  it('applies SET and DELETE to the current overrides', () => {
    const result = alterTopic(
      current,
      [
        op('segment.bytes', SET, '1048576'),
        op('retention.ms', DELETE),
        op('flush.ms', DELETE),
      ],
      layers(),
    );
    expect(configs(result)).toEqual({ 'cleanup.policy': 'compact', 'segment.bytes': '1048576' });
  });

  it('APPENDs the items that are not there yet, starting from the override', () => {
    const result = alterTopic(current, [op('cleanup.policy', APPEND, 'delete,compact,delete')], layers());
    expect(configs(result)['cleanup.policy']).toBe('compact,delete');
  });

  it('APPENDs to the inherited value when the topic has no override', () => {
    const result = alterTopic({}, [op('cleanup.policy', APPEND, 'delete')], layers({ static: { 'log.cleanup.policy': 'compact' } }));
    expect(configs(result)).toEqual({ 'cleanup.policy': 'compact,delete' });
    const throttled = alterTopic({}, [op('leader.replication.throttled.replicas', APPEND, '0:1,1:2')], layers());
    expect(configs(throttled)).toEqual({ 'leader.replication.throttled.replicas': '0:1,1:2' });
  });

  it('SUBTRACTs every occurrence, down to the empty list', () => {
    const withBoth = { 'cleanup.policy': 'compact,delete' };
    expect(configs(alterTopic(withBoth, [op('cleanup.policy', SUBTRACT, 'compact')], layers()))).toEqual({
      'cleanup.policy': 'delete',
    });
    expect(configs(alterTopic(withBoth, [op('cleanup.policy', SUBTRACT, 'delete,compact')], layers()))).toEqual({
      'cleanup.policy': '',
    });
    const replicas = { 'follower.replication.throttled.replicas': '0:1,1:1,0:1' };
    expect(configs(alterTopic(replicas, [op('follower.replication.throttled.replicas', SUBTRACT, '0:1')], layers()))).toEqual({
      'follower.replication.throttled.replicas': '1:1',
    });
  });

  it('refuses APPEND and SUBTRACT on configs that are not lists', () => {
    const result = alterTopic(current, [op('retention.ms', APPEND, '5')], layers());
    expect(failure(result)).toEqual([ErrorCode.INVALID_CONFIG, 'retention.ms=5: APPEND applies to list configs only, and retention.ms is of type long']);
  });

  it('validates the values that result', () => {
    const result = alterTopic(current, [op('cleanup.policy', APPEND, 'archive')], layers());
    expect(failure(result)).toEqual([
      ErrorCode.INVALID_CONFIG,
      "cleanup.policy=compact,archive: 'archive' is not allowed (expected a comma-separated list of compact, delete)",
    ]);
  });

  it('answers INVALID_REQUEST for an unknown operation or a name given twice', () => {
    expect(failure(alterTopic(current, [op('retention.ms', 7, '1')], layers()))).toEqual([
      ErrorCode.INVALID_REQUEST,
      'retention.ms: unknown operation 7 (expected one of 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT)',
    ]);
    const twice = [
      op('retention.ms', SET, '1'),
      op('retention.ms', DELETE),
    ];
    expect(failure(alterTopic(current, twice, layers()))[0]).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('refuses unknown names, even to DELETE, but lets a stored unknown config be deleted', () => {
    expect(failure(alterTopic(current, [op('retention.mss', DELETE)], layers()))).toEqual([
      ErrorCode.INVALID_CONFIG,
      'retention.mss=: unknown topic config (did you mean retention.ms?)',
    ]);
    const stored = { 'old.config': 'x', 'retention.ms': '1' };
    expect(configs(alterTopic(stored, [op('old.config', DELETE)], layers()))).toEqual({ 'retention.ms': '1' });
  });

  it('refuses SET without a value', () => {
    expect(failure(alterTopic({}, [op('retention.ms', SET)], layers()))).toEqual([
      ErrorCode.INVALID_CONFIG,
      'retention.ms=null: a value is required',
    ]);
  });
});

describe('broker configs', () => {
  it('sets cluster-wide properties per broker or as the cluster default', () => {
    const l = layers({ clusterDefaults: { 'log.retention.ms': '1000' } });
    expect(configs(alterBrokerConfigs('broker', [{ name: 'message.max.bytes', value: '2000' }], l))).toEqual({ 'message.max.bytes': '2000' });
    expect(configs(incrementalAlterBrokerConfigs('cluster-default', [op('num.io.threads', SET, '4')], l))).toEqual({
      'log.retention.ms': '1000',
      'num.io.threads': '4',
    });
  });

  it('refuses read-only, unknown and unsupported properties and invalid values', () => {
    const result = alterBrokerConfigs(
      'cluster-default',
      [
        { name: 'log.dirs', value: '/x' },
        { name: 'num.partitons', value: '1' },
        { name: 'max.connections', value: '10' },
        { name: 'min.insync.replicas', value: '0' },
      ],
      layers(),
    );
    expect(failure(result)).toEqual([
      ErrorCode.INVALID_CONFIG,
      [
        'log.dirs=/x: read-only: set it in server.properties and restart',
        'num.partitons=1: unknown property (did you mean num.partitions?)',
        'max.connections=10: not supported by Gregor',
        'min.insync.replicas=0: out of range (expected an int >= 1)',
      ].join('; '),
    ]);
  });

  it('APPENDs to the value inherited from the layers below', () => {
    const l = layers({ static: { 'log.cleanup.policy': 'compact' }, clusterDefaults: { 'log.cleanup.policy': 'delete' } });
    const policy = 'log.cleanup.policy';
    expect(configs(incrementalAlterBrokerConfigs('broker', [op(policy, APPEND, 'compact')], l))).toEqual({ [policy]: 'delete,compact' });
    expect(configs(incrementalAlterBrokerConfigs('cluster-default', [op(policy, APPEND, 'delete')], l))).toEqual({ [policy]: 'delete' });
    const both = layers({ static: { [policy]: 'compact,delete' } });
    expect(configs(incrementalAlterBrokerConfigs('cluster-default', [op(policy, SUBTRACT, 'delete')], both))).toEqual({ [policy]: 'compact' });
  });

  it('checks combinations with the other layers in place', () => {
    const l = layers({ static: { 'log.cleaner.max.compaction.lag.ms': '1000' } });
    expect(failure(alterBrokerConfigs('broker', [{ name: 'log.cleaner.min.compaction.lag.ms', value: '2000' }], l))).toEqual([
      ErrorCode.INVALID_CONFIG,
      'log.cleaner.min.compaction.lag.ms=2000: exceeds log.cleaner.max.compaction.lag.ms (1000)',
    ]);
  });
});
