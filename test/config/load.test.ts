import { describe, expect, it } from 'vitest';
import { type BrokerConfigResult, type ConfigSources, parseBrokerConfig } from '../../src/config/load.js';
import { formatProblem, invalidValue } from '../../src/config/problems.js';
import type { BrokerPropertyDefinition } from '../../src/config/property.js';

function ok(sources: ConfigSources) {
  const result = parseBrokerConfig(sources);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result;
}

function problems(result: BrokerConfigResult): string[] {
  if (result.ok) throw new Error('expected problems');
  return result.problems.map(formatProblem);
}

const file = (text: string) => ({ path: 'server.properties', text });

describe('parseBrokerConfig', () => {
  it('gives a single-node cluster with no configuration at all', () => {
    const { config, staticProperties } = ok({});
    expect(config['node.id']).toBe(1);
    expect(config['process.roles']).toEqual(['broker', 'controller']);
    expect(config.listeners).toEqual(['PLAINTEXT://:9092']);
    expect(config['log.dirs']).toEqual(['./data']);
    expect(config['log.retention.ms']).toBe(168 * 3_600_000);
    expect(staticProperties).toEqual({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config['log.dirs'])).toBe(true);
  });

  it('layers defaults < file < environment < --override', () => {
    const { config, staticProperties } = ok({
      file: file('num.partitions=2\ndefault.replication.factor=2\nmessage.max.bytes=2000\n'),
      env: { KAFKA_NUM_PARTITIONS: '3', KAFKA_MESSAGE_MAX_BYTES: '3000' },
      overrides: ['num.partitions=4'],
    });
    expect(config['num.partitions']).toBe(4);
    expect(config['message.max.bytes']).toBe(3000);
    expect(config['default.replication.factor']).toBe(2);
    expect(staticProperties).toEqual({ 'num.partitions': '4', 'default.replication.factor': '2', 'message.max.bytes': '3000' });
  });

  it('takes an override value with = in it whole', () => {
    expect(ok({ overrides: ['listener.security.protocol.map=PLAINTEXT:PLAINTEXT,X:PLAINTEXT'] }).config['listener.security.protocol.map']).toEqual([
      'PLAINTEXT:PLAINTEXT',
      'X:PLAINTEXT',
    ]);
  });

  it('only checks the value that wins', () => {
    expect(ok({ file: file('num.partitions=abc'), overrides: ['num.partitions=2'] }).config['num.partitions']).toBe(2);
  });

  it('names the property, the value, what is wrong, what is allowed and where, for each kind of check', () => {
    const result = parseBrokerConfig({
      file: file(
        [
          'num.partitions=abc',
          'auto.create.topics.enable=yes',
          'log.cleaner.min.cleanable.ratio=2',
          'compression.type=brotli',
          'log.cleanup.policy=delete,archive',
          'process.roles=broker,broker',
          'listeners=localhost:9092',
          'log.retention.ms=12.5',
          'bad=\\uZZZZ',
        ].join('\n'),
      ),
      env: { KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '40000' },
      overrides: ['log.dirs=', 'nonsense'],
    });
    expect(problems(result)).toEqual([
      'bad=\\uZZZZ: malformed \\uXXXX escape [server.properties:9]',
      'nonsense=: an --override takes name=value [--override]',
      'num.partitions=abc: not an int (expected an int >= 1) [server.properties:1]',
      'auto.create.topics.enable=yes: not a boolean (expected true or false) [server.properties:2]',
      'log.cleaner.min.cleanable.ratio=2: out of range (expected a number between 0 and 1) [server.properties:3]',
      'compression.type=brotli: not allowed (expected one of uncompressed, zstd, lz4, snappy, gzip, producer) [server.properties:4]',
      "log.cleanup.policy=delete,archive: 'archive' is not allowed (expected a comma-separated list of compact, delete) [server.properties:5]",
      "process.roles=broker,broker: 'broker' is repeated (expected a comma-separated list of broker, controller (at least one, no repeats)) [server.properties:6]",
      "listeners=localhost:9092: 'localhost:9092' is not NAME://host:port (expected a comma-separated list of NAME://host:port (at least one)) [server.properties:7]",
      'log.retention.ms=12.5: not a long (expected a long >= -1) [server.properties:8]',
      'offsets.topic.replication.factor=40000: not a short (expected a short >= 1) [env KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR]',
      'log.dirs=: empty (expected a comma-separated list with at least one entry) [--override]',
    ]);
  });

  it('tells unknown names from Kafka names Gregor does not implement and from topic configs', () => {
    const result = parseBrokerConfig({
      file: file('num.partiton=3\nzookeeper.connect=zk:2181\nssl.keystore.location=/ks.jks\nretention.ms=1000\ninter.broker.protocol.version=3.9\nwhatever=1'),
      env: { KAFKA_LOG_RETENTION_HOUR: '1' },
    });
    expect(problems(result)).toEqual([
      'num.partiton=3: unknown property (did you mean num.partitions?) [server.properties:1]',
      'zookeeper.connect=zk:2181: not supported by Gregor [server.properties:2]',
      'ssl.keystore.location=/ks.jks: not supported by Gregor [server.properties:3]',
      'retention.ms=1000: a topic config, not a broker property; the broker-wide default is log.retention.ms [server.properties:4]',
      'inter.broker.protocol.version=3.9: not supported by Gregor [server.properties:5]',
      'whatever=1: unknown property [server.properties:6]',
      'log.retention.hour=1: unknown property (did you mean log.retention.hours?) [env KAFKA_LOG_RETENTION_HOUR]',
    ]);
  });

  it('hides password values in problem lines', () => {
    const secret: BrokerPropertyDefinition = {
      name: 'example.password', group: 'listeners', type: 'password', default: null, importance: 'high', updateMode: 'read-only',
      doc: 'A secret.',
    };
    expect(formatProblem(invalidValue(secret, 'hunter2', 'too short'))).toBe('example.password=[hidden]: too short (expected a password)');
  });
});

describe('cross-property checks', () => {
  const check = (text: string) => problems(parseBrokerConfig({ file: file(text) }));

  it('accepts a typical three-node combined cluster member', () => {
    const { config } = ok({
      file: file(
        [
          'node.id=2',
          'process.roles=broker,controller',
          'controller.quorum.voters=1@c1:9093,2@c2:9093,3@c3:9093',
          'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
          'advertised.listeners=PLAINTEXT://c2:9092',
          'controller.listener.names=CONTROLLER',
          'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        ].join('\n'),
      ),
    });
    expect(config['node.id']).toBe(2);
    expect(config['broker.id']).toBe(2);
  });

  it('reads broker.id as node.id and refuses the two when they differ', () => {
    expect(ok({ file: file('broker.id=5') }).config['node.id']).toBe(5);
    expect(check('node.id=1\nbroker.id=2')).toEqual(['broker.id=2: must equal node.id (1) when both are set [server.properties:2]']);
  });

  it('checks listener names against the protocol map and supported protocols', () => {
    expect(check('listeners=PLAINTEXT://:9092,PLAINTEXT://:9093')).toEqual([
      'listeners=PLAINTEXT://:9092,PLAINTEXT://:9093: listener PLAINTEXT appears twice [server.properties:1]',
    ]);
    expect(check('listeners=PLAINTEXT://:9092,CLIENT://:9094')).toEqual([
      'listeners=PLAINTEXT://:9092,CLIENT://:9094: listener CLIENT has no entry in listener.security.protocol.map [server.properties:1]',
    ]);
    expect(check('listeners=PLAINTEXT://:9092,SSL://:9093')).toEqual([
      'listeners=PLAINTEXT://:9092,SSL://:9093: listener SSL uses SSL, which Gregor does not support yet (supported: PLAINTEXT) [server.properties:1]',
    ]);
    expect(check('advertised.listeners=OTHER://h:1')).toEqual(['advertised.listeners=OTHER://h:1: listener OTHER is not one of listeners [server.properties:1]']);
  });

  it('checks the inter-broker listener', () => {
    expect(check('listeners=CLIENT://:9092\nlistener.security.protocol.map=CLIENT:PLAINTEXT')).toEqual([
      'security.inter.broker.protocol=PLAINTEXT: the inter-broker listener PLAINTEXT is not one of listeners (CLIENT)',
    ]);
    expect(ok({ file: file('listeners=CLIENT://:9092\nlistener.security.protocol.map=CLIENT:PLAINTEXT\ninter.broker.listener.name=client') }).ok).toBe(true);
    expect(check('inter.broker.listener.name=PLAINTEXT\nsecurity.inter.broker.protocol=PLAINTEXT')).toEqual([
      'inter.broker.listener.name=PLAINTEXT: set either this or security.inter.broker.protocol, not both [server.properties:1]',
    ]);
  });

  it('checks the quorum for the roles of the node', () => {
    const controllerListener = [
      'controller.listener.names=CONTROLLER',
      'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    ].join('\n');
    expect(check(`controller.quorum.voters=2@c2:9093,3@c3:9093\n${controllerListener}`)).toEqual([
      "controller.quorum.voters=2@c2:9093,3@c3:9093: does not include node.id 1, though this node has the controller role [server.properties:1]",
    ]);
    expect(check('controller.quorum.voters=1@c1:9093,2@c2:9093')).toEqual([
      'controller.listener.names=: must name the controller listener when the quorum has other members',
    ]);
    expect(check('controller.quorum.voters=1@c1:9093,1@c2:9093')).toEqual([
      'controller.quorum.voters=1@c1:9093,1@c2:9093: voter id 1 appears twice [server.properties:1]',
    ]);
    expect(check('process.roles=broker')).toEqual([
      'controller.quorum.voters=: a node without the controller role needs controller.quorum.voters or controller.quorum.bootstrap.servers',
      'controller.listener.names=: must name the controller listener when the quorum has other members',
    ]);
    const map = 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT';
    expect(check(`controller.listener.names=CONTROLLER\ncontroller.quorum.bootstrap.servers=c:9093\n${map}`)).toEqual([
      'controller.listener.names=CONTROLLER: listener CONTROLLER is not one of listeners, though this node has the controller role [server.properties:1]',
    ]);
  });

  it('keeps controller listeners on controllers and broker listeners on brokers', () => {
    const map = 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT';
    const quorum = 'controller.quorum.voters=1@c1:9093\ncontroller.listener.names=CONTROLLER';
    expect(ok({ file: file(`process.roles=broker\nnode.id=2\n${quorum}\n${map}`) }).ok).toBe(true);
    expect(check(`process.roles=broker\nnode.id=2\n${quorum}\n${map}\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093`)).toEqual([
      'listeners=PLAINTEXT://:9092,CONTROLLER://:9093: listener CONTROLLER is a controller listener, though this node has only the broker role [server.properties:6]',
    ]);
    expect(ok({ file: file(`process.roles=controller\n${quorum}\n${map}\nlisteners=CONTROLLER://:9093`) }).ok).toBe(true);
    expect(check(`process.roles=controller\n${quorum}\n${map}\nlisteners=CONTROLLER://:9093,PLAINTEXT://:9092`)).toEqual([
      'listeners=CONTROLLER://:9093,PLAINTEXT://:9092: listener PLAINTEXT is not a controller listener, though this node has only the controller role [server.properties:5]',
    ]);
    expect(check(`${quorum}\n${map}\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093\ninter.broker.listener.name=CONTROLLER`)).toEqual([
      'inter.broker.listener.name=CONTROLLER: the inter-broker listener CONTROLLER is a controller listener [server.properties:5]',
    ]);
  });

  it('checks the compaction lags', () => {
    expect(check('log.cleaner.min.compaction.lag.ms=10\nlog.cleaner.max.compaction.lag.ms=5')).toEqual([
      'log.cleaner.min.compaction.lag.ms=10: exceeds log.cleaner.max.compaction.lag.ms (5) [server.properties:1]',
    ]);
  });
});
