import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../e2e/support/embedded-broker.js';
import { closedPort, runCli } from './run-cli.js';

let gregor: EmbeddedBroker;
let kafka: Kafka;

beforeAll(async () => {
  gregor = await startEmbeddedBroker();
  kafka = new Kafka({ clientId: 'gregor-cli-test', brokers: [gregor.bootstrap], logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await gregor.stop();
});

const topics = (...args: string[]) => runCli('kafka-topics', ['--bootstrap-server', gregor.bootstrap, ...args]);
const gregorCli = (command: string, ...args: string[]) => runCli('gregor', [command, '--bootstrap-server', gregor.bootstrap, ...args]);

describe('kafka-topics and gregor topics', () => {
  it('creates, lists, describes, grows and deletes a topic', async () => {
    const created = await topics('--create', '--topic', 'cli-orders', '--partitions', '2', '--replication-factor', '1', '--config', 'retention.ms=1000', '--config', 'cleanup.policy=compact');
    expect(created).toMatchObject({ code: 0, stdout: 'Created topic cli-orders.\n', stderr: '' });

    const listed = await topics('--list');
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')).toContain('cli-orders');

    const described = await topics('--describe', '--topic', 'cli-orders');
    expect(described.code).toBe(0);
    const lines = described.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Topic: cli-orders\tTopicId: \S+\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: cleanup.policy=compact,retention.ms=1000$/);
    expect(lines.slice(1)).toEqual(['\tTopic: cli-orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1', '\tTopic: cli-orders\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1']);

    expect(await topics('--alter', '--topic', 'cli-orders', '--partitions', '3')).toMatchObject({ code: 0, stdout: 'Adding partitions succeeded!\n' });
    const table = await gregorCli('topics', '--describe', '--topic', 'cli-orders');
    expect(table.code).toBe(0);
    const tableLines = table.stdout.trimEnd().split('\n');
    expect(tableLines[0]).toMatch(/^TOPIC\s+TOPIC ID\s+PARTITIONS\s+REPLICATION FACTOR\s+CONFIGS$/);
    expect(tableLines[1]).toMatch(/^cli-orders\s+\S+\s+3\s+1\s+cleanup.policy=compact,retention.ms=1000$/);
    expect(tableLines.slice(3)).toEqual([
      'TOPIC       PARTITION  LEADER  REPLICAS  ISR',
      'cli-orders  0          1       1         1',
      'cli-orders  1          1       1         1',
      'cli-orders  2          1       1         1',
    ]);

    const json = await gregorCli('topics', '--describe', '--topic', 'cli-orders', '--output', 'json');
    expect(JSON.parse(json.stdout)).toEqual([
      {
        name: 'cli-orders',
        topicId: expect.any(String),
        partitionCount: 3,
        replicationFactor: 1,
        configs: { 'cleanup.policy': 'compact', 'retention.ms': '1000' },
        partitions: [0, 1, 2].map((partition) => ({ partition, leader: 1, replicas: [1], isr: [1] })),
      },
    ]);

    expect(await gregorCli('topics', '--delete', '--topic', 'cli-orders')).toMatchObject({ code: 0, stdout: 'Deleted topic cli-orders.\n' });
    expect((await topics('--list')).stdout.split('\n')).not.toContain('cli-orders');
  });

  it('fails with one line for a topic that exists, unless --if-not-exists', async () => {
    expect((await topics('--create', '--topic', 'cli-twice')).code).toBe(0);
    const again = await topics('--create', '--topic', 'cli-twice');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("kafka-topics: creating topic cli-twice: TOPIC_ALREADY_EXISTS: Topic 'cli-twice' already exists.\n");
    expect(await topics('--create', '--topic', 'cli-twice', '--if-not-exists')).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('fails with one line for an unknown topic', async () => {
    for (const action of [['--describe'], ['--delete'], ['--alter', '--partitions', '4']]) {
      const result = await topics(...action, '--topic', 'cli-never-was');
      expect(result).toMatchObject({ code: 1, stdout: '', stderr: "kafka-topics: Topic 'cli-never-was' does not exist as expected\n" });
    }
    expect(await topics('--describe', '--topic', 'cli-never-was', '--if-exists')).toMatchObject({ code: 0, stdout: '' });
  });

  it('fails with one line and exit code 2 for bad flags, doing nothing', async () => {
    const unknown = await topics('--create', '--topic', 'cli-bad-flag', '--bogus');
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: 'kafka-topics: Unknown argument: bogus\n' });
    expect((await topics('--list')).stdout.split('\n')).not.toContain('cli-bad-flag');
    expect(await topics('--list', '--delete')).toMatchObject({ code: 2, stderr: 'kafka-topics: give exactly one of --create, --list, --describe, --delete, --alter\n' });
    expect(await topics('--create')).toMatchObject({ code: 2, stderr: 'kafka-topics: --create needs --topic\n' });
  });

  it('fails with one line when no broker answers, reading --command-config', async () => {
    const port = await closedPort();
    const properties = path.join(gregor.dataDir, 'cli-client.properties');
    writeFileSync(properties, `bootstrap.servers=127.0.0.1:${port}\nretries=0\nsecurity.protocol=PLAINTEXT\n`);
    const result = await runCli('kafka-topics', ['--command-config', properties, '--list']);
    expect(result.code).toBe(1);
    const [warning, error, ...rest] = result.stderr.split('\n');
    expect(warning).toBe(`kafka-topics: warning: ${properties}:3: security.protocol is not a client setting Gregor uses; ignored`);
    expect(error).toMatch(new RegExp(`^kafka-topics: 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(rest).toEqual(['']);
  });
});

describe('kafka-configs and gregor configs', () => {
  it('alters topic configs, visible to describe and to kafkajs', async () => {
    expect((await topics('--create', '--topic', 'cli-configs', '--config', 'cleanup.policy=compact')).code).toBe(0);
    const altered = await runCli('kafka-configs', [
      '--bootstrap-server',
      gregor.bootstrap,
      '--alter',
      '--entity-type',
      'topics',
      '--entity-name',
      'cli-configs',
      '--add-config',
      'retention.ms=5000,max.message.bytes=2048',
      '--delete-config',
      'cleanup.policy',
    ]);
    expect(altered).toMatchObject({ code: 0, stdout: 'Completed updating config for topic cli-configs.\n' });

    const described = await runCli('kafka-configs', ['--bootstrap-server', gregor.bootstrap, '--describe', '--topic', 'cli-configs']);
    expect(described.code).toBe(0);
    const lines = described.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Dynamic configs for topic cli-configs are:');
    expect(lines.slice(1).map((l) => l.split(' ')[2])).toEqual(['max.message.bytes=2048', 'retention.ms=5000']);

    const json = await gregorCli('configs', '--describe', '--entity-type', 'topics', '--entity-name', 'cli-configs', '--output', 'json');
    expect(JSON.parse(json.stdout).map((c: { name: string; value: string; source: string }) => [c.name, c.value, c.source])).toEqual([
      ['max.message.bytes', '2048', 'DYNAMIC_TOPIC_CONFIG'],
      ['retention.ms', '5000', 'DYNAMIC_TOPIC_CONFIG'],
    ]);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const seen = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cli-configs' }], includeSynonyms: false });
      const entries = new Map(seen.resources[0].configEntries.map((e) => [e.configName, e]));
      expect(entries.get('retention.ms')).toMatchObject({ configValue: '5000', isDefault: false });
      expect(entries.get('cleanup.policy')).toMatchObject({ configValue: 'delete' });
    } finally {
      await admin.disconnect();
    }
  });

  it('sets and removes the cluster-wide broker default', async () => {
    const configs = (...args: string[]) => runCli('kafka-configs', ['--bootstrap-server', gregor.bootstrap, ...args]);
    expect(await configs('--alter', '--entity-type', 'brokers', '--entity-default', '--add-config', 'log.retention.ms=123456')).toMatchObject({
      code: 0,
      stdout: 'Completed updating default config for brokers in the cluster.\n',
    });
    const described = await configs('--describe', '--entity-type', 'brokers', '--entity-default');
    expect(described.stdout).toBe('Default configs for brokers in the cluster are:\n  log.retention.ms=123456 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=123456}\n');
    const table = await gregorCli('configs', '--describe', '--broker', '1', '--all');
    expect(table.stdout).toMatch(/^log\.retention\.ms\s+123456\s+DYNAMIC_DEFAULT_BROKER_CONFIG$/m);
    expect((await configs('--alter', '--broker-defaults', '--delete-config', 'log.retention.ms')).code).toBe(0);
    expect((await configs('--describe', '--broker-defaults')).stdout).toBe('Default configs for brokers in the cluster are:\n');
  });

  it('fails with one line for an unknown topic or a missing entity', async () => {
    const unknown = await runCli('kafka-configs', ['--bootstrap-server', gregor.bootstrap, '--describe', '--topic', 'cli-never-was']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toBe("kafka-configs: describing the configs of topic cli-never-was: UNKNOWN_TOPIC_OR_PARTITION: Topic 'cli-never-was' does not exist.\n");
    expect(await runCli('kafka-configs', ['--bootstrap-server', gregor.bootstrap, '--describe', '--entity-type', 'topics'])).toMatchObject({
      code: 2,
      stderr: 'kafka-configs: --entity-type needs --entity-name or --entity-default\n',
    });
  });
});

describe('kafka-get-offsets and gregor get-offsets', () => {
  it('prints earliest and latest offsets after producing', async () => {
    expect((await topics('--create', '--topic', 'cli-offsets', '--partitions', '2')).code).toBe(0);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: 'cli-offsets', messages: ['1000', '3000', '2000'].map((timestamp) => ({ partition: 0, value: `at ${timestamp}`, timestamp })) });
      await producer.send({ topic: 'cli-offsets', messages: [{ partition: 1, value: 'only' }] });
    } finally {
      await producer.disconnect();
    }
    const offsets = (...args: string[]) => runCli('kafka-get-offsets', ['--bootstrap-server', gregor.bootstrap, '--topic', 'cli-offsets', ...args]);
    expect(await offsets()).toMatchObject({ code: 0, stdout: 'cli-offsets:0:3\ncli-offsets:1:1\n' });
    expect(await offsets('--time', '-2')).toMatchObject({ code: 0, stdout: 'cli-offsets:0:0\ncli-offsets:1:0\n' });
    expect(await offsets('--time', 'latest', '--partitions', '1')).toMatchObject({ code: 0, stdout: 'cli-offsets:1:1\n' });
    expect(await offsets('--time', '-3', '--partitions', '0')).toMatchObject({ code: 0, stdout: 'cli-offsets:0:1\n' });
    expect(await offsets('--time', '1500', '--partitions', '0')).toMatchObject({ code: 0, stdout: 'cli-offsets:0:1\n' });
    expect(await offsets('--time', '9000', '--partitions', '0')).toMatchObject({ code: 0, stdout: 'cli-offsets:0:\n' });
    const json = await gregorCli('get-offsets', '--topic', 'cli-offsets', '--output', 'json');
    expect(JSON.parse(json.stdout)).toEqual([
      { topic: 'cli-offsets', partition: 0, offset: 3 },
      { topic: 'cli-offsets', partition: 1, offset: 1 },
    ]);
  });

  it('fails with one line for an unknown topic or a bad --time', async () => {
    expect(await runCli('kafka-get-offsets', ['--bootstrap-server', gregor.bootstrap, '--topic', 'cli-never-was'])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: "kafka-get-offsets: Topic 'cli-never-was' does not exist\n",
    });
    const bad = await runCli('kafka-get-offsets', ['--bootstrap-server', gregor.bootstrap, '--topic', 'x', '--time', 'yesterday']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/^kafka-get-offsets: --time takes .*'yesterday'\n$/);
  });
});
