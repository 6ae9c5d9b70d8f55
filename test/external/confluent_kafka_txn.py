"""confluent-kafka-python (librdkafka) transactions for test/e2e/external-clients.test.ts.

  confluent_kafka_txn.py --bootstrap B --input IN --output OUT --group G --transactional-id T

Creates IN and OUT (three partitions each), produces the messages on stdin ({"key", "value",
"headers"} objects, a JSON array) to IN without a transaction, and consumes them all as a member of
group G. Then a transactional producer (init_transactions) copies them to OUT twice, each message to
the partition it came from, with send_offsets_to_transaction of the member's positions and the
member's consumer_group_metadata(): first in a transaction it aborts (abort_transaction), then in
one it commits (commit_transaction). After each it reads back the group's committed offsets.
Last, a plain producer appends an END record to every partition of OUT, and two consumers read OUT
from the beginning until they have seen every END: one with isolation.level=read_committed, one
with read_uncommitted.

Prints {"input": records, "aborted": records, "committed": records, "offsets_after_abort",
"offsets_after_commit": {partition: offset (-1 for none)}, "read_committed": records,
"read_uncommitted": records}, records being {"partition", "offset", "key", "value"} (the END
records left out).
"""
import argparse
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

TIMEOUT_S = 30
PARTITIONS = [0, 1, 2]
END = 'END'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--bootstrap', required=True)
    parser.add_argument('--input', required=True)
    parser.add_argument('--output', required=True)
    parser.add_argument('--group', required=True)
    parser.add_argument('--transactional-id', required=True)
    args = parser.parse_args()
    messages = json.load(sys.stdin)

    admin = AdminClient({'bootstrap.servers': args.bootstrap})
    for future in admin.create_topics([NewTopic(t, num_partitions=len(PARTITIONS), replication_factor=1) for t in (args.input, args.output)]).values():
        future.result(TIMEOUT_S)

    plain = Producer({'bootstrap.servers': args.bootstrap, 'acks': 'all'})
    for m in messages:
        plain.produce(args.input, key=m['key'], value=m['value'])
    if plain.flush(TIMEOUT_S) != 0:
        sys.exit('input messages left undelivered')

    member = Consumer({
        'bootstrap.servers': args.bootstrap,
        'group.id': args.group,
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'isolation.level': 'read_committed',
    })
    member.subscribe([args.input])
    consumed = []
    deadline = time.monotonic() + TIMEOUT_S
    while len(consumed) < len(messages):
        if time.monotonic() > deadline:
            sys.exit(f'consumed {len(consumed)} of {len(messages)} input messages')
        message = member.poll(0.5)
        if message is None:
            continue
        if message.error() is not None:
            sys.exit(f'consume failed: {message.error()}')
        consumed.append(record(message))
    # Where the member would resume: one past the last message it consumed from each partition.
    positions = [TopicPartition(args.input, p, max([r['offset'] for r in consumed if r['partition'] == p], default=-1) + 1) for p in PARTITIONS]

    producer = Producer({'bootstrap.servers': args.bootstrap, 'transactional.id': args.transactional_id})
    producer.init_transactions(TIMEOUT_S)

    def transaction(outcome):
        sent = [None] * len(consumed)

        def delivered(index):
            def report(error, message):
                if error is not None:
                    sys.exit(f'delivery of message {index} failed: {error}')
                sent[index] = record(message)
            return report

        producer.begin_transaction()
        for index, r in enumerate(consumed):
            producer.produce(args.output, key=r['key'], value=f"{outcome}:{r['value']}", partition=r['partition'], on_delivery=delivered(index))
        producer.send_offsets_to_transaction(positions, member.consumer_group_metadata(), TIMEOUT_S)
        # Every message is written before the transaction ends, so an abort leaves them in the log.
        if producer.flush(TIMEOUT_S) != 0:
            sys.exit('transactional messages left undelivered')
        if outcome == 'commit':
            producer.commit_transaction(TIMEOUT_S)
        else:
            producer.abort_transaction(TIMEOUT_S)
        committed = member.committed([TopicPartition(args.input, p) for p in PARTITIONS], TIMEOUT_S)
        return sent, {str(tp.partition): max(tp.offset, -1) for tp in committed}

    aborted, offsets_after_abort = transaction('abort')
    committed, offsets_after_commit = transaction('commit')
    member.close()

    for p in PARTITIONS:
        plain.produce(args.output, value=END, partition=p)
    if plain.flush(TIMEOUT_S) != 0:
        sys.exit('END records left undelivered')

    print(json.dumps({
        'input': consumed,
        'aborted': aborted,
        'committed': committed,
        'offsets_after_abort': offsets_after_abort,
        'offsets_after_commit': offsets_after_commit,
        'read_committed': read_all(args, 'read_committed'),
        'read_uncommitted': read_all(args, 'read_uncommitted'),
    }))


def record(message):
    return {
        'partition': message.partition(),
        'offset': message.offset(),
        'key': message.key().decode() if message.key() is not None else None,
        'value': message.value().decode(),
    }


def read_all(args, isolation):
    """Every record of OUT before the END records, read from the beginning at `isolation`."""
    consumer = Consumer({
        'bootstrap.servers': args.bootstrap,
        'group.id': f'{args.group}-{isolation}',
        'enable.auto.commit': False,
        'isolation.level': isolation,
    })
    consumer.assign([TopicPartition(args.output, p, OFFSET_BEGINNING) for p in PARTITIONS])
    records = []
    ended = set()
    deadline = time.monotonic() + TIMEOUT_S
    while len(ended) < len(PARTITIONS):
        if time.monotonic() > deadline:
            sys.exit(f'{isolation}: saw the END of partitions {sorted(ended)} only')
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error() is not None:
            sys.exit(f'{isolation} consume failed: {message.error()}')
        if message.value() == END.encode():
            ended.add(message.partition())
        else:
            records.append(record(message))
    consumer.close()
    return records


if __name__ == '__main__':
    main()
