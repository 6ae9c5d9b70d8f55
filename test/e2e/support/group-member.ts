/**
 * One kafkajs consumer-group member in its own process, for tests that SIGKILL it: a killed
 * process sends no LeaveGroup, so its group only notices it through the session timeout.
 *
 * Usage: node --import tsx group-member.ts <bootstrap> <groupId> <topic> [stallAt]
 *
 * It commits after every message (`autoCommit: false`, one commitOffsets each) and reports on
 * stdout, one JSON object per line, written with writeSync so that a line is in the pipe before
 * the next step starts and a SIGKILL cannot lose it:
 *   {"event":"join","generation":…,"memberId":…,"assignment":{topic:[partitions]}}
 *   {"event":"message","partition":p,"offset":"o","key":k}  before the commit is sent
 *   {"event":"committed","partition":p,"offset":"o"}        once the commit succeeded
 *   {"event":"commit-failed","partition":p,"offset":"o","error":…}
 *
 * With stallAt > 0, its stallAt-th message is reported and then never committed nor finished:
 * the member hangs there, so a SIGKILL finds it with a delivered, uncommitted message.
 */
import { writeSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';

const [bootstrap, groupId, topic, stallArg] = process.argv.slice(2);
const stallAt = Number(stallArg ?? 0);
let delivered = 0;

function report(line: object): void {
  writeSync(1, `${JSON.stringify(line)}\n`);
}

const kafka = new Kafka({ brokers: [bootstrap], clientId: 'e2e-child-member', logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 50 } });
const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 });
consumer.on(consumer.events.GROUP_JOIN, (event) => report({ event: 'join', memberId: event.payload.memberId, assignment: event.payload.memberAssignment }));
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    report({ event: 'message', partition, offset: message.offset, key: message.key?.toString() ?? null });
    if (++delivered === stallAt) await new Promise(() => {});
    try {
      await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
    } catch (err) {
      report({ event: 'commit-failed', partition, offset: message.offset, error: String(err) });
      throw err;
    }
    report({ event: 'committed', partition, offset: message.offset });
  },
});
report({ event: 'running' });
