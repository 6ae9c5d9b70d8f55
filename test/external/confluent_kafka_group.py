"""confluent-kafka-python (librdkafka) consumer groups for test/e2e/external-clients.test.ts.

Subcommands, each printing one JSON object:
  produce  --topic T: produces the messages ({"key", "value", "headers"} objects, a JSON array on
           stdin) and prints {"produced": records}.
  consume  --topic T --group G [--instance-id I] [--session-timeout MS]: subscribes as a member
           of G (a static member when given an instance id), consumes until every partition it
           was assigned has reached its end, commits synchronously, reads back what it committed
           and closes; prints {"assignment", "committed", "generation", "member_id", "consumed"}. A static member does not leave
           the group when it closes (librdkafka sends no LeaveGroup for it).
  describe --group G: the group as the AdminClient's list_groups() (ListGroups, then
           DescribeGroups) sees it: {"state", "protocol_type", "protocol", "members": [
           {"id", "client_id", "assignment"}]}, the assignment decoded as a partition list.
  split    --topic T --group G: creates the topic, subscribes two consumers of G, waits until the
           group has given each a share of the partitions, then produces the messages on stdin and
           consumes them; each consumer commits and closes. Prints {"produced", "members": [
           {"assignment", "consumed"}, ...]}.
"""
import argparse
import json
import struct
import sys
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from confluent_kafka_client import produce, record

TIMEOUT_S = 30


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('command', choices=['produce', 'consume', 'describe', 'split'])
    parser.add_argument('--bootstrap', required=True)
    parser.add_argument('--topic')
    parser.add_argument('--group')
    parser.add_argument('--instance-id')
    parser.add_argument('--session-timeout', type=int, default=6000)
    parser.add_argument('--partitions', type=int, default=3)
    args = parser.parse_args()

    if args.command == 'produce':
        out = {'produced': produce(args.bootstrap, args.topic, 'none', json.load(sys.stdin))}
    elif args.command == 'consume':
        out = consume(args)
    elif args.command == 'describe':
        out = describe(args)
    else:
        out = split(args, json.load(sys.stdin))
    print(json.dumps(out))




class Member:
    """A subscribed consumer, the partitions it owns and what it consumed from them."""

    def __init__(self, args, extra=None):
        config = {
            'bootstrap.servers': args.bootstrap,
            'group.id': args.group,
            'session.timeout.ms': args.session_timeout,
            'heartbeat.interval.ms': 500,
            'auto.offset.reset': 'earliest',
            'enable.auto.commit': False,
            'enable.partition.eof': True,
            **(extra or {}),
        }
        self.group = args.group
        self.consumer = Consumer(config)
        self.assignment = []
        self.at_end = set()
        self.consumed = []
        self.consumer.subscribe([args.topic], on_assign=self.assigned, on_revoke=self.revoked)

    def assigned(self, consumer, partitions):
        self.assignment = sorted(p.partition for p in partitions)
        self.at_end = set()

    def revoked(self, consumer, partitions):
        # What was consumed so far is committed before another member takes the partitions over.
        self.commit()
        self.assignment = []
        self.at_end = set()

    def poll(self, timeout):
        message = self.consumer.poll(timeout)
        if message is None:
            return
        error = message.error()
        if error is not None:
            if error.code() == KafkaError._PARTITION_EOF:
                self.at_end.add(message.partition())
                return
            sys.exit(f'consume failed: {error}')
        self.at_end.discard(message.partition())
        self.consumed.append(record(message))

    def caught_up(self):
        return len(self.assignment) > 0 and self.at_end.issuperset(self.assignment)

    def commit(self):
        try:
            self.consumer.commit(asynchronous=False)
        except Exception as e:  # nothing consumed since the last commit: nothing to commit
            if e.args[0].code() != KafkaError._NO_OFFSET:
                raise

    def group_metadata(self):
        """The generation and member id, read from librdkafka's serialized consumer group metadata:
        "CGMDv2:", the generation (int32, host order), then NUL-terminated group id and member id."""
        data = self.consumer.consumer_group_metadata()
        if not data.startswith(b'CGMDv2:'):
            sys.exit(f'unknown consumer group metadata format: {data!r}')
        (generation,) = struct.unpack('=i', data[7:11])
        group_id, member_id = data[11:].split(b'\0')[:2]
        if group_id.decode() != self.group:
            sys.exit(f'unexpected consumer group metadata: {data!r}')
        return generation, member_id.decode()


def deadline_loop(what, done):
    deadline = time.monotonic() + TIMEOUT_S
    while not done():
        if time.monotonic() > deadline:
            sys.exit(f'timed out waiting for {what}')
        yield


def consume(args):
    extra = {'group.instance.id': args.instance_id} if args.instance_id else {}
    member = Member(args, extra)
    for _ in deadline_loop('the assigned partitions to reach their end', member.caught_up):
        member.poll(0.2)
    member.commit()
    generation, member_id = member.group_metadata()
    committed = member.consumer.committed([TopicPartition(args.topic, p) for p in member.assignment], timeout=TIMEOUT_S)
    out = {
        'assignment': member.assignment,
        'committed': {str(tp.partition): tp.offset for tp in committed},
        'generation': generation,
        'member_id': member_id,
        'consumed': member.consumed,
    }
    member.consumer.close()
    return out


def describe(args):
    [group] = AdminClient({'bootstrap.servers': args.bootstrap}).list_groups(args.group, timeout=TIMEOUT_S)
    if group.error is not None:
        sys.exit(f'describing {args.group} failed: {group.error}')
    return {
        'state': group.state,
        'protocol_type': group.protocol_type,
        'protocol': group.protocol,
        'members': [{'id': m.id, 'client_id': m.client_id, 'assignment': partitions(m.assignment)} for m in group.members],
    }


def partitions(assignment):
    """The partitions in a ConsumerProtocolAssignment: version (int16), then topics, each a name
    (int16 length, bytes) and its partitions (int32 count, int32 each), then user data."""
    out = []
    (count,) = struct.unpack_from('>i', assignment, 2)
    at = 6
    for _ in range(count):
        (length,) = struct.unpack_from('>h', assignment, at)
        at += 2 + length
        (n,) = struct.unpack_from('>i', assignment, at)
        out.extend(struct.unpack_from(f'>{n}i', assignment, at + 4))
        at += 4 + 4 * n
    return sorted(out)


def split(args, messages):
    admin = AdminClient({'bootstrap.servers': args.bootstrap})
    admin.create_topics([NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1)])[args.topic].result(TIMEOUT_S)
    members = [Member(args, {'client.id': f'member-{i}'}) for i in range(2)]

    def shared():
        owned = [p for m in members for p in m.assignment]
        return all(m.assignment for m in members) and sorted(owned) == list(range(args.partitions))

    # The topic is empty until both members own partitions, so none is consumed before the group
    # has settled.
    for _ in deadline_loop('both members to own partitions', shared):
        for m in members:
            m.poll(0.1)
    produced = produce(args.bootstrap, args.topic, 'none', messages)
    for _ in deadline_loop('every message to be consumed', lambda: sum(len(m.consumed) for m in members) >= len(messages)):
        for m in members:
            m.poll(0.1)
    out = []
    for m in members:
        m.commit()
        out.append({'assignment': m.assignment, 'consumed': m.consumed})
    for m in members:
        m.consumer.close()
    return {'produced': produced, 'members': out}




if __name__ == '__main__':
    main()
