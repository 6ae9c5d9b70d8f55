/**
 * Transactions with real clients against `gregor server` as a child process: kafkajs transactions
 * that commit and abort across partitions, read_committed and read_uncommitted consumers, sendOffsets
 * in a consume-transform-produce loop, zombie fencing and the coordinator's timeout abort;
 * node-rdkafka's transactional producer with sendOffsetsToTransaction; and SIGKILLs of the broker in
 * the middle of a transaction and right after its commit.
 *
 * The broker runs as a process, not in this one: node-rdkafka blocks the JS thread in some calls,
 * and the crash tests kill it. Every test ends its topics with a plain END record per partition
 * (support/transactions.ts), so a consumer has read everything before it once it has seen every END;
 * what it saw before the ENDs is compared exactly.
 */
import { rmSync } from 'node:fs';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import RdKafka, { type LibrdKafkaError, type Message } from 'node-rdkafka';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerConnection } from '../../src/client/broker-connection.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { waitFor } from '../support/wait-for.js';
import { BrokerProcess, tempDataDir } from './support/broker-process.js';
import { GroupAdmin } from './support/group-admin.js';
import { describeProducers, rawConnection } from './support/idempotence.js';
import {
  END,
  READ_COMMITTED,
  READ_UNCOMMITTED,
  type SeenRecord,
  consumeUntilSentinels,
  describeTransaction,
  fetchPartition,
  kafkajsErrorType,
  listTransactions,
  sendSentinels,
} from './support/transactions.js';

/**
 * No initial rebalance delay (groups form by waiting for their members), and the coordinator
 * looks for timed-out transactions every 200 ms instead of every 10 s.
 */
const BROKER_PROPERTIES = {
  'group.initial.rebalance.delay.ms': '0',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': '200',
};

/** The lines the broker logged at warn level or above. */
function problems(broker: BrokerProcess): string[] {
  return broker.output
    .join('')
    .split('\n')
    .filter((line) => /"level":(4|5|6)0/.test(line));
}

function client(port: number, clientId = 'e2e-txn'): Kafka {
  return new Kafka({ brokers: [`127.0.0.1:${port}`], clientId, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 1000 } });
}

function transactionalProducer(kafka: Kafka, transactionalId: string, transactionTimeout?: number): Producer {
  return kafka.producer({ transactionalId, transactionTimeout, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}

async function createTopic(kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

/** `${prefix}-p${partition}-${i}` for i < count, for each partition. */
function valuesFor(prefix: string, partitions: number[], count: number): { partition: number; value: string }[] {
  return partitions.flatMap((partition) => Array.from({ length: count }, (_, i) => ({ partition, value: `${prefix}-p${partition}-${i}` })));
}

const values = (records: { value: string }[]): string[] => records.map((r) => r.value).sort();

/** The offset of every record consumed, by partition. */
function offsetsByPartition(records: SeenRecord[]): Record<number, number[]> {
  const out: Record<number, number[]> = {};
  for (const r of records) (out[r.partition] ??= []).push(r.offset);
  return out;
}

/** Runs a callback-style librdkafka call; resolves with its result or rejects with its error. */
function call<T = unknown>(start: (done: (err: LibrdKafkaError | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value as T))));
}

describe('one broker', () => {
  let dataDir: string;
  let broker: BrokerProcess;
  let kafka: Kafka;
  let connection: BrokerConnection;
  let groups: GroupAdmin;

  beforeAll(async () => {
    dataDir = tempDataDir();
    broker = await BrokerProcess.start(dataDir, BROKER_PROPERTIES);
    kafka = client(broker.port);
    connection = await rawConnection(broker.port);
    groups = await GroupAdmin.open(broker.port);
  });

  afterAll(async () => {
    await connection?.close();
    await groups?.close();
    if (broker) expect(await broker.stop()).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
    // No request from a client made the broker close a connection or log a problem.
    expect(problems(broker)).toEqual([]);
  });

  describe('kafkajs', () => {
    it('commits and aborts across partitions; read_committed consumers see exactly the committed records, read_uncommitted ones all', async () => {
      const topic = 'txn-kafkajs';
      const partitions = [0, 1, 2];
      await createTopic(kafka, topic, 3);
      const producer = transactionalProducer(kafka, 'tx-kafkajs');
      await producer.connect();

      const committed1 = valuesFor('commit1', partitions, 2);
      const t1 = await producer.transaction();
      await t1.send({ topic, messages: committed1 });
      await t1.commit();

      const aborted = valuesFor('abort', partitions, 2);
      const t2 = await producer.transaction();
      await t2.send({ topic, messages: aborted });
      // While it is open, the last stable offset stops at its first record (offset 3: two records
      // and the commit marker before it), and read_committed fetches return nothing from there on.
      const { producerId } = await describeTransaction(connection, 'tx-kafkajs');
      for (const partition of partitions) {
        const open = await fetchPartition(connection, topic, partition, READ_COMMITTED);
        expect([open.highWatermark, open.lastStableOffset], `partition ${partition}`).toEqual([5, 3]);
        expect(open.batches.map((b) => [b.baseOffset, b.control])).toEqual([
          [0, null],
          [2, 'commit'],
        ]);
      }
      const ongoing = await describeTransaction(connection, 'tx-kafkajs');
      expect([ongoing.errorCode, ongoing.transactionState, ongoing.topics]).toEqual([ErrorCode.NONE, 'Ongoing', [{ topic, partitions }]]);
      await t2.abort();

      const committed3 = valuesFor('commit3', [0, 2], 1);
      const t3 = await producer.transaction();
      await t3.send({ topic, messages: committed3 });
      await t3.commit();
      await producer.disconnect();
      await sendSentinels(kafka, topic, partitions);

      const readCommitted = await consumeUntilSentinels(kafka, topic, partitions, true);
      expect(values(readCommitted)).toEqual(values([...committed1, ...committed3]));
      const readUncommitted = await consumeUntilSentinels(kafka, topic, partitions, false);
      expect(values(readUncommitted)).toEqual(values([...committed1, ...aborted, ...committed3]));

      // Each partition holds its markers where the client skipped offsets: neither consumer was
      // given a control record, and read_committed fetches name the aborted transaction.
      const markers: Record<number, Array<[number, string | null]>> = {};
      for (const partition of partitions) {
        const all = await fetchPartition(connection, topic, partition, READ_UNCOMMITTED);
        markers[partition] = all.batches.filter((b) => b.control).map((b) => [b.baseOffset, b.control]);
        const stable = await fetchPartition(connection, topic, partition, READ_COMMITTED);
        expect([stable.lastStableOffset, stable.abortedTransactions]).toEqual([all.highWatermark, [{ producerId, firstOffset: 3 }]]);
      }
      expect(markers).toEqual({
        0: [[2, 'commit'], [5, 'abort'], [7, 'commit']],
        1: [[2, 'commit'], [5, 'abort']],
        2: [[2, 'commit'], [5, 'abort'], [7, 'commit']],
      });
      expect(offsetsByPartition(readCommitted)).toEqual({ 0: [0, 1, 6], 1: [0, 1], 2: [0, 1, 6] });
      expect(offsetsByPartition(readUncommitted)).toEqual({ 0: [0, 1, 3, 4, 6], 1: [0, 1, 3, 4], 2: [0, 1, 3, 4, 6] });

      const listed = await listTransactions(connection);
      expect(listed.filter((t) => t.transactionalId === 'tx-kafkajs')).toEqual([
        expect.objectContaining({ transactionalId: 'tx-kafkajs', producerId, transactionState: 'CompleteCommit' }),
      ]);
    });

    it('sendOffsets in a consume-transform-produce loop moves the committed offsets only on commit', async () => {
      const input = 'ctp-in';
      const output = 'ctp-out';
      const groupId = 'ctp-group';
      await createTopic(kafka, input, 2);
      await createTopic(kafka, output, 2);
      const plain = kafka.producer();
      await plain.connect();
      const inputs = valuesFor('in', [0, 1], 10);
      await plain.send({ topic: input, acks: -1, messages: inputs });
      await plain.disconnect();

      const producer = transactionalProducer(kafka, 'tx-ctp');
      await producer.connect();
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: input, fromBeginning: true });
      /** What OffsetFetch answered after each abort and each commit, with what it should have. */
      const checks: Array<{ after: string; expected: Record<number, number>; actual: Record<number, number> }> = [];
      const committedNow: Record<number, number> = { 0: -1, 1: -1 };
      let attempts = 0;
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const next = Number(batch.lastOffset()) + 1;
          const transformed = batch.messages.map((m) => ({ partition: batch.partition, value: `out:${m.value!.toString()}` }));
          const offsets = { consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: batch.partition, offset: String(next) }] }] };
          // The first attempt at every batch fails and aborts; the retry commits.
          for (const outcome of ['abort', 'commit'] as const) {
            attempts++;
            const transaction = await producer.transaction();
            await transaction.send({ topic: output, messages: transformed.map((m) => ({ ...m, value: `${m.value} (${outcome})` })) });
            await transaction.sendOffsets(offsets);
            if (outcome === 'abort') {
              await transaction.abort();
            } else {
              await transaction.commit();
              committedNow[batch.partition] = next;
            }
            checks.push({ after: `${outcome} up to ${batch.partition}:${next}`, expected: { ...committedNow }, actual: await groups.committedOffsets(groupId, input, [0, 1]) });
          }
        },
      });
      await waitFor('the loop to commit every input offset', () => committedNow[0] === 10 && committedNow[1] === 10, { describe: () => checks });
      await consumer.disconnect();
      await producer.disconnect();

      expect(attempts).toBeGreaterThanOrEqual(4);
      expect(checks.filter((c) => JSON.stringify(c.actual) !== JSON.stringify(c.expected))).toEqual([]);
      expect(await groups.committedOffsets(groupId, input, [0, 1])).toEqual({ 0: 10, 1: 10 });

      await sendSentinels(kafka, output, [0, 1]);
      const committedOut = await consumeUntilSentinels(kafka, output, [0, 1], true);
      expect(values(committedOut)).toEqual(values(inputs.map((m) => ({ value: `out:${m.value} (commit)` }))));
      const everything = await consumeUntilSentinels(kafka, output, [0, 1], false);
      expect(values(everything)).toEqual(values(inputs.flatMap((m) => ['abort', 'commit'].map((o) => ({ value: `out:${m.value} (${o})` })))));
    });

    it('fences a zombie: a second producer with the same transactional id aborts the first one’s transaction', async () => {
      const topic = 'txn-fence';
      await createTopic(kafka, topic, 2);
      const zombie = transactionalProducer(kafka, 'tx-zombie');
      await zombie.connect();
      const stale = await zombie.transaction();
      await stale.send({ topic, messages: valuesFor('zombie', [0, 1], 2) });
      const before = await describeTransaction(connection, 'tx-zombie');
      expect(before.transactionState).toBe('Ongoing');

      const successor = transactionalProducer(kafka, 'tx-zombie');
      await successor.connect();
      const current = await successor.transaction();
      // The same producer id, under a newer epoch: InitProducerId aborted the open transaction
      // (epoch + 1, CONCURRENT_TRANSACTIONS, which kafkajs retries) and the retry bumped it again.
      const fenced = await describeTransaction(connection, 'tx-zombie');
      expect([fenced.producerId, fenced.transactionState]).toEqual([before.producerId, 'Empty']);
      expect(fenced.producerEpoch).toBeGreaterThan(before.producerEpoch);

      // kafkajs speaks InitProducerId v0/v1 and EndTxn v0/v1, so the fence reaches it as
      // INVALID_PRODUCER_EPOCH (PRODUCER_FENCED exists from InitProducerId v4 / EndTxn v2).
      const sendError = await stale.send({ topic, messages: [{ partition: 0, value: 'zombie-late' }] }).then(
        () => expect.fail('the fenced producer could still send'),
        (err: unknown) => err,
      );
      expect(kafkajsErrorType(sendError)).toBe('INVALID_PRODUCER_EPOCH');
      const commitError = await stale.commit().then(
        () => expect.fail('the fenced producer could still commit'),
        (err: unknown) => err,
      );
      expect(kafkajsErrorType(commitError)).toBe('INVALID_PRODUCER_EPOCH');
      await zombie.disconnect();

      const successorValues = valuesFor('successor', [0, 1], 2);
      await current.send({ topic, messages: successorValues });
      await current.commit();
      await successor.disconnect();
      await sendSentinels(kafka, topic, [0, 1]);
      expect(values(await consumeUntilSentinels(kafka, topic, [0, 1], true))).toEqual(values(successorValues));
      expect(values(await consumeUntilSentinels(kafka, topic, [0, 1], false))).toEqual(values([...valuesFor('zombie', [0, 1], 2), ...successorValues]));
    });

    it('aborts a transaction that outlives its timeout; read_committed consumers skip it and are not blocked', async () => {
      const topic = 'txn-timeout';
      await createTopic(kafka, topic, 2);
      const stuck = transactionalProducer(kafka, 'tx-timeout', 1000);
      await stuck.connect();
      const abandoned = await stuck.transaction();
      const abandonedValues = valuesFor('abandoned', [0, 1], 2);
      await abandoned.send({ topic, messages: abandonedValues });

      // Records committed after the abandoned ones, and the ENDs after them, are visible to a
      // read_committed consumer only once the coordinator has aborted the abandoned transaction.
      const other = transactionalProducer(kafka, 'tx-timeout-other');
      await other.connect();
      const committed = valuesFor('committed', [0, 1], 2);
      const transaction = await other.transaction();
      await transaction.send({ topic, messages: committed });
      await transaction.commit();
      await other.disconnect();
      await sendSentinels(kafka, topic, [0, 1]);
      const reading = consumeUntilSentinels(kafka, topic, [0, 1], true);

      const aborted = await waitFor('the coordinator to abort tx-timeout', async () => {
        const state = await describeTransaction(connection, 'tx-timeout');
        return state.transactionState === 'CompleteAbort' && state;
      });
      expect([aborted.errorCode, aborted.transactionTimeoutMs, aborted.topics]).toEqual([ErrorCode.NONE, 1000, []]);
      const listed = await listTransactions(connection, ['CompleteAbort']);
      expect(listed.map((t) => t.transactionalId)).toContain('tx-timeout');
      expect(values(await reading)).toEqual(values(committed));
      for (const partition of [0, 1]) {
        const stable = await fetchPartition(connection, topic, partition, READ_COMMITTED);
        expect(stable.lastStableOffset).toBe(stable.highWatermark);
        expect(stable.abortedTransactions).toEqual([{ producerId: aborted.producerId, firstOffset: 0 }]);
      }
      // The abort fenced the producer: its commit is refused.
      const commitError = await abandoned.commit().then(
        () => expect.fail('the timed-out transaction could still commit'),
        (err: unknown) => err,
      );
      expect(kafkajsErrorType(commitError)).toBe('INVALID_PRODUCER_EPOCH');
      await stuck.disconnect();
    });
  });

  describe('node-rdkafka', () => {
    let closers: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const close of closers.reverse()) await close();
      closers = [];
    });

    async function rdConsumer(config: RdKafka.ConsumerGlobalConfig, topicConfig: RdKafka.ConsumerTopicConfig = {}): Promise<RdKafka.KafkaConsumer> {
      const consumer = new RdKafka.KafkaConsumer({ 'bootstrap.servers': `127.0.0.1:${broker.port}`, 'enable.auto.commit': false, ...config }, topicConfig);
      await call((done) => consumer.connect({}, done));
      closers.push(() => new Promise<void>((resolve) => consumer.disconnect(() => resolve())));
      return consumer;
    }

    /** consume() until `until` holds for what was consumed; every message. */
    async function consumeWhile(consumer: RdKafka.KafkaConsumer, until: (messages: Message[]) => boolean): Promise<Message[]> {
      const messages: Message[] = [];
      await waitFor('node-rdkafka to consume', async () => {
        messages.push(...(await call<Message[]>((done) => consumer.consume(100, done))));
        return until(messages);
      }, { everyMs: 0, describe: () => messages.map((m) => [m.partition, m.offset, m.value?.toString()]) });
      return messages;
    }

    /** Reads `topic` from offset 0 at an isolation level until the END of every partition. */
    async function readAll(topic: string, partitions: number[], isolation: 'read_committed' | 'read_uncommitted'): Promise<SeenRecord[]> {
      const consumer = await rdConsumer({ 'group.id': `rd-reader-${isolation}`, 'isolation.level': isolation });
      consumer.assign(partitions.map((partition) => ({ topic, partition, offset: 0 })));
      const messages = await consumeWhile(consumer, (got) => partitions.every((p) => got.some((m) => m.partition === p && m.value?.toString() === END)));
      return messages
        .map((m) => ({ partition: m.partition, offset: m.offset, value: m.value!.toString() }))
        .filter((m) => m.value !== END)
        .sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    }

    it('a transactional producer commits and aborts produce to several partitions and sendOffsetsToTransaction', async () => {
      const input = 'rd-txn-in';
      const output = 'rd-txn-out';
      const groupId = 'rd-txn-group';
      await createTopic(kafka, input, 2);
      await createTopic(kafka, output, 3);
      const plain = kafka.producer();
      await plain.connect();
      await plain.send({ topic: input, acks: -1, messages: valuesFor('rd-in', [0, 1], 3) });
      await plain.disconnect();

      // A group member reads the input, so that its group metadata (generation and member id)
      // goes with the offsets, as in a consume-transform-produce application.
      const consumer = await rdConsumer({ 'group.id': groupId }, { 'auto.offset.reset': 'earliest' });
      consumer.subscribe([input]);
      const consumed = await consumeWhile(consumer, (got) => got.length >= 6);
      expect(consumed).toHaveLength(6);
      const offsets = [0, 1].map((partition) => ({ topic: input, partition, offset: Math.max(...consumed.filter((m) => m.partition === partition).map((m) => m.offset)) + 1 }));
      expect(offsets.map((o) => o.offset)).toEqual([3, 3]);

      const producer = new RdKafka.Producer({ 'bootstrap.servers': `127.0.0.1:${broker.port}`, 'transactional.id': 'tx-rdkafka', dr_cb: true });
      await call((done) => producer.connect({}, done));
      closers.push(() => new Promise<void>((resolve) => producer.disconnect(() => resolve())));
      producer.setPollInterval(10);
      const reports: Array<{ partition: number; offset: number }> = [];
      producer.on('delivery-report', (err, report) => {
        if (!err) reports.push({ partition: report.partition, offset: report.offset });
      });
      await call((done) => producer.initTransactions(10_000, done));
      const initialized = await describeTransaction(connection, 'tx-rdkafka');
      expect([initialized.errorCode, initialized.transactionState]).toEqual([ErrorCode.NONE, 'Empty']);

      const runTransaction = async (outcome: 'commit' | 'abort'): Promise<string[]> => {
        await call((done) => producer.beginTransaction(done));
        const sent = consumed.map((m, i) => ({ partition: i % 3, value: `${outcome}:${m.value!.toString()}` }));
        const reported = reports.length + sent.length;
        for (const m of sent) producer.produce(output, m.partition, Buffer.from(m.value));
        await call((done) => producer.sendOffsetsToTransaction(offsets, consumer, 10_000, done));
        // librdkafka adds a partition to the transaction when it first sends to it, so the
        // transaction lists every partition once every message is delivered.
        await waitFor('every message of the transaction to be delivered', () => reports.length === reported, { describe: () => reports });
        const open = await describeTransaction(connection, 'tx-rdkafka');
        expect(open.transactionState).toBe('Ongoing');
        expect(open.topics.find((t) => t.topic === output)?.partitions.sort()).toEqual([0, 1, 2]);
        expect(open.topics.map((t) => t.topic)).toContain('__consumer_offsets');
        if (outcome === 'commit') await call((done) => producer.commitTransaction(10_000, done));
        else await call((done) => producer.abortTransaction(10_000, done));
        const ended = await describeTransaction(connection, 'tx-rdkafka');
        expect([ended.transactionState, ended.producerId]).toEqual([outcome === 'commit' ? 'CompleteCommit' : 'CompleteAbort', initialized.producerId]);
        return sent.map((m) => m.value);
      };

      const aborted = await runTransaction('abort');
      expect(await groups.committedOffsets(groupId, input, [0, 1])).toEqual({ 0: -1, 1: -1 });
      const committed = await runTransaction('commit');
      expect(await groups.committedOffsets(groupId, input, [0, 1])).toEqual({ 0: 3, 1: 3 });
      // commitTransaction flushed every message; each was reported delivered (the aborted ones too).
      expect(reports).toHaveLength(12);

      await sendSentinels(kafka, output, [0, 1, 2]);
      expect(values(await readAll(output, [0, 1, 2], 'read_committed'))).toEqual([...committed].sort());
      expect(values(await readAll(output, [0, 1, 2], 'read_uncommitted'))).toEqual([...aborted, ...committed].sort());
      expect(values(await consumeUntilSentinels(kafka, output, [0, 1, 2], true))).toEqual([...committed].sort());
    });
  });
});

describe('broker crashes (SIGKILL) and restarts on the same data', () => {
  let running: BrokerProcess[] = [];
  let dirs: string[] = [];
  afterEach(async () => {
    for (const b of running) if (b.child.exitCode === null && b.child.signalCode === null) await b.stop('SIGKILL');
    const logged = running.flatMap(problems);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    running = [];
    dirs = [];
    expect(logged).toEqual([]);
  });
  const start = async (dataDir: string): Promise<BrokerProcess> => {
    const b = await BrokerProcess.start(dataDir, BROKER_PROPERTIES);
    running.push(b);
    return b;
  };
  const newDataDir = (): string => {
    const dir = tempDataDir();
    dirs.push(dir);
    return dir;
  };

  it('in the middle of transactions: after the restart the coordinator aborts one on its timeout, a new producer fences the other', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    const kafka1 = client(first.port);
    const topic = 'crash-mid';
    await createTopic(kafka1, topic, 2);

    const done = transactionalProducer(kafka1, 'tx-crash-done');
    await done.connect();
    const committed = valuesFor('committed', [0, 1], 2);
    const t1 = await done.transaction();
    await t1.send({ topic, messages: committed });
    await t1.commit();

    const fenceLater = transactionalProducer(kafka1, 'tx-crash-fence');
    await fenceLater.connect();
    const t2 = await fenceLater.transaction();
    await t2.send({ topic, messages: valuesFor('interrupted-fence', [0, 1], 2) });

    const timeOutLater = transactionalProducer(kafka1, 'tx-crash-timeout', 3000);
    await timeOutLater.connect();
    const t3 = await timeOutLater.transaction();
    await t3.send({ topic, messages: valuesFor('interrupted-timeout', [0, 1], 2) });

    let conn = await rawConnection(first.port);
    const before = {
      done: await describeTransaction(conn, 'tx-crash-done'),
      fence: await describeTransaction(conn, 'tx-crash-fence'),
      timeout: await describeTransaction(conn, 'tx-crash-timeout'),
    };
    // (tx-crash-timeout may time out at any moment from here on, so its state is not checked.)
    expect([before.done.transactionState, before.fence.transactionState]).toEqual(['CompleteCommit', 'Ongoing']);
    const survivors = [before.done.producerId, before.fence.producerId];
    const producersBefore = (await describeProducers(conn, topic, [0, 1])).map((p) => p.activeProducers.filter((a) => survivors.includes(a.producerId)));
    await conn.close();
    expect(await first.stop('SIGKILL')).toBeNull();
    await Promise.allSettled([done.disconnect(), fenceLater.disconnect(), timeOutLater.disconnect()]);

    const second = await start(dataDir);
    const kafka2 = client(second.port);
    conn = await rawConnection(second.port);
    // The partitions' producer state came back from the log: the same producers, epochs,
    // sequences and open transactions.
    const producersAfter = await describeProducers(conn, topic, [0, 1]);
    expect(producersAfter.map((p) => p.activeProducers.filter((a) => survivors.includes(a.producerId)))).toEqual(producersBefore);
    expect(producersBefore.map((p) => p.length)).toEqual([2, 2]);
    expect(producersAfter.map((p) => p.activeProducers.some((a) => a.producerId === before.timeout.producerId))).toEqual([true, true]);
    // So did the coordinator's.
    const fenceAfter = await describeTransaction(conn, 'tx-crash-fence');
    expect([fenceAfter.transactionState, fenceAfter.producerId, fenceAfter.producerEpoch]).toEqual(['Ongoing', before.fence.producerId, before.fence.producerEpoch]);

    const successor = transactionalProducer(kafka2, 'tx-crash-fence');
    await successor.connect();
    const t4 = await successor.transaction();
    const after = valuesFor('after-restart', [0, 1], 1);
    await t4.send({ topic, messages: after });
    await t4.commit();
    await successor.disconnect();
    const fenced = await describeTransaction(conn, 'tx-crash-fence');
    expect([fenced.transactionState, fenced.producerId]).toEqual(['CompleteCommit', before.fence.producerId]);
    expect(fenced.producerEpoch).toBeGreaterThan(before.fence.producerEpoch);

    const timedOut = await waitFor('the coordinator to abort tx-crash-timeout after the restart', async () => {
      const state = await describeTransaction(conn, 'tx-crash-timeout');
      return state.transactionState === 'CompleteAbort' && state;
    });
    expect(timedOut.producerId).toBe(before.timeout.producerId);
    expect(await describeTransaction(conn, 'tx-crash-done')).toMatchObject({ transactionState: 'CompleteCommit', producerId: before.done.producerId });

    await sendSentinels(kafka2, topic, [0, 1]);
    expect(values(await consumeUntilSentinels(kafka2, topic, [0, 1], true))).toEqual(values([...committed, ...after]));
    for (const partition of [0, 1]) {
      const stable = await fetchPartition(conn, topic, partition, READ_COMMITTED);
      expect(stable.lastStableOffset).toBe(stable.highWatermark);
      expect(stable.abortedTransactions.map((a) => a.producerId).sort()).toEqual([before.fence.producerId, before.timeout.producerId].sort());
    }
    await conn.close();
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  it('right after the commit: the restarted coordinator finishes it; every record and the offsets become visible', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    const kafka1 = client(first.port);
    const topic = 'crash-commit';
    const partitions = [0, 1, 2];
    await createTopic(kafka1, topic, 3);
    const producer = transactionalProducer(kafka1, 'tx-crash-commit');
    await producer.connect();
    const committed = valuesFor('committed', partitions, 3);
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: committed });
    await transaction.sendOffsets({ consumerGroupId: 'crash-group', topics: [{ topic, partitions: partitions.map((partition) => ({ partition, offset: '2' })) }] });
    await transaction.commit();
    // EndTxn has returned: the PrepareCommit record is durable; the markers may not be written yet.
    expect(await first.stop('SIGKILL')).toBeNull();
    await producer.disconnect().catch(() => undefined);

    const second = await start(dataDir);
    const kafka2 = client(second.port);
    const conn = await rawConnection(second.port);
    const completed = await waitFor('the commit to complete after the restart', async () => {
      const state = await describeTransaction(conn, 'tx-crash-commit');
      return state.transactionState === 'CompleteCommit' && state;
    });
    for (const partition of partitions) {
      const stable = await waitFor(`the LSO of ${topic}-${partition} to reach its high watermark`, async () => {
        const fetched = await fetchPartition(conn, topic, partition, READ_COMMITTED);
        return fetched.lastStableOffset === fetched.highWatermark && fetched;
      });
      // A commit marker, or two: when the broker died after writing the markers but before the
      // CompleteCommit record, the new coordinator writes them again, as Kafka's does.
      const [data, ...markers] = stable.batches;
      expect(data.control).toBeNull();
      expect(markers.length).toBeGreaterThanOrEqual(1);
      expect(markers.map((b) => [b.control, b.producerId, b.producerEpoch])).toEqual(markers.map(() => ['commit', data.producerId, data.producerEpoch]));
      expect(stable.abortedTransactions).toEqual([]);
    }
    const groups = await GroupAdmin.open(second.port);
    expect(await waitFor('the transactional offsets to be committed', async () => {
      const offsets = await groups.committedOffsets('crash-group', topic, partitions);
      return partitions.every((p) => offsets[p] === 2) && offsets;
    })).toEqual({ 0: 2, 1: 2, 2: 2 });
    await groups.close();

    await sendSentinels(kafka2, topic, partitions);
    expect(values(await consumeUntilSentinels(kafka2, topic, partitions, true))).toEqual(values(committed));

    // The transactional id keeps its producer id; the next producer gets a newer epoch, and its
    // sequences on each partition start again at 0.
    const successor = transactionalProducer(kafka2, 'tx-crash-commit');
    await successor.connect();
    const next = await successor.transaction();
    await next.send({ topic, messages: [{ partition: 0, value: 'next' }] });
    await next.commit();
    await successor.disconnect();
    const state = await describeTransaction(conn, 'tx-crash-commit');
    expect(state.producerId).toBe(completed.producerId);
    expect(state.producerEpoch).toBeGreaterThan(completed.producerEpoch);
    const [p0] = await describeProducers(conn, topic, [0]);
    expect(p0.activeProducers.map((p) => [p.producerId, p.producerEpoch, p.lastSequence, p.currentTxnStartOffset])).toEqual([[completed.producerId, state.producerEpoch, 0, -1]]);
    await conn.close();
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
