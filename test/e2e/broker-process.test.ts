import { existsSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerProcess, runGregor, tempDataDir } from './support/broker-process.js';
import { readPartition } from './support/read-partition.js';

let running: BrokerProcess[] = [];
afterEach(async () => {
  for (const broker of running) if (broker.child.exitCode === null) await broker.stop('SIGKILL');
  running = [];
});

async function start(dataDir: string, port = 0): Promise<BrokerProcess> {
  const broker = await BrokerProcess.start(dataDir, {}, port);
  running.push(broker);
  return broker;
}

function kafka(port: number): Kafka {
  return new Kafka({ brokers: [`127.0.0.1:${port}`], clientId: 'e2e', logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
}

describe('gregor server, as a process', () => {
  it('keeps every acknowledged record across a SIGKILL and restart', async () => {
    const dataDir = tempDataDir();
    const first = await start(dataDir);
    const client = kafka(first.port);
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'durable', numPartitions: 2 }] });
    await admin.disconnect();
    const producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (let batch = 0; batch < 20; batch++) {
      await producer.send({
        topic: 'durable',
        acks: -1,
        messages: Array.from({ length: 50 }, (_, i) => ({ partition: (batch + i) % 2, key: `k${batch}-${i}`, value: `v${batch}-${i}` })),
      });
    }
    await producer.disconnect();
    expect(await first.stop('SIGKILL')).toBeNull();

    const second = await start(dataDir, first.port);
    const records = [...(await readPartition(second.port, 'durable', 0)), ...(await readPartition(second.port, 'durable', 1))];
    expect(records).toHaveLength(1000);
    expect(new Set(records.map((r) => r.value)).size).toBe(1000);
    expect(records.every((r) => r.key !== null && r.value === r.key.replace('k', 'v'))).toBe(true);
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(existsSync(path.join(dataDir, '.kafka_cleanshutdown'))).toBe(true);
  });

  it('keeps its topics, their ids and configs across a clean restart', async () => {
    const dataDir = tempDataDir();
    const first = await start(dataDir);
    const admin = kafka(first.port).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kept', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    const before = await admin.fetchTopicMetadata({ topics: ['kept'] });
    await admin.disconnect();
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await start(dataDir);
    const again = kafka(second.port).admin();
    await again.connect();
    const after = await again.fetchTopicMetadata({ topics: ['kept'] });
    const configs = await again.describeConfigs({ resources: [{ type: 2, name: 'kept', configNames: ['retention.ms'] }], includeSynonyms: false });
    await again.disconnect();
    expect(after.topics[0].partitions).toHaveLength(3);
    expect(after).toEqual(before);
    expect(configs.resources[0].configEntries[0].configValue).toBe('3600000');
  });

  it('refuses an invalid configuration with one line naming the property', async () => {
    const result = await runGregor(['server', '--override', 'num.partitions=zero', '--override', `log.dirs=${tempDataDir()}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/num\.partitions=zero: /);
  });

  it('formats data directories with a given cluster id, and refuses to format twice', async () => {
    const dataDir = tempDataDir();
    const clusterId = 'MkU3OEVBNTcwNTJENDM2Qk';
    const formatted = await runGregor(['server', 'format', '--cluster-id', clusterId, '--override', `log.dirs=${dataDir}`]);
    expect(formatted.code).toBe(0);
    expect(formatted.stdout).toContain(clusterId);
    const again = await runGregor(['server', 'format', '--override', `log.dirs=${dataDir}`]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already formatted/);
    const broker = await start(dataDir);
    expect(broker.output.join('\n')).toContain(`cluster ${clusterId}`);
  });

  it('answers gregor healthcheck while running, and fails it once stopped', async () => {
    const broker = await start(tempDataDir());
    const healthy = await runGregor(['healthcheck', '--bootstrap-server', `127.0.0.1:${broker.port}`]);
    expect(healthy.code).toBe(0);
    expect(await broker.stop('SIGTERM')).toBe(0);
    const down = await runGregor(['healthcheck', '--bootstrap-server', `127.0.0.1:${broker.port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`127.0.0.1:${broker.port}`);
  });
});
