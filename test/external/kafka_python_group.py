"""kafka-python consumer groups for test/e2e/external-clients.test.ts.

Subcommands, each printing one JSON object:
  produce  --topic T: produces the messages ({"key", "value", "headers"} objects, a JSON array on
           stdin) and prints {"produced": records}.
  consume  --topic T --group G: a KafkaConsumer with group_id G subscribes to T, consumes until its
           position in every partition it was assigned has reached the log end, commits
           synchronously, asks committed() for each partition and closes (leaving the group);
           prints {"assignment", "committed", "consumed"}.
"""
import argparse
import json
import sys
import time

from kafka import KafkaConsumer

from kafka_python_client import produce, record

TIMEOUT_S = 30


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('command', choices=['produce', 'consume'])
    parser.add_argument('--bootstrap', required=True)
    parser.add_argument('--topic', required=True)
    parser.add_argument('--group')
    parser.add_argument('--session-timeout', type=int, default=6000)
    args = parser.parse_args()
    out = {'produced': produce(args.bootstrap, args.topic, 'none', json.load(sys.stdin))} if args.command == 'produce' else consume(args)
    print(json.dumps(out))




def consume(args):
    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        auto_offset_reset='earliest',
        enable_auto_commit=False,
        session_timeout_ms=args.session_timeout,
        heartbeat_interval_ms=500,
    )
    consumer.subscribe([args.topic])
    consumed = []
    ends = None
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        for batch in consumer.poll(timeout_ms=200).values():
            consumed.extend(record(message) for message in batch)
        assignment = consumer.assignment()
        if assignment:
            if ends is None or set(ends) != assignment:
                ends = consumer.end_offsets(list(assignment))
            if all(consumer.position(tp) >= end for tp, end in ends.items()):
                break
        if time.monotonic() > deadline:
            sys.exit(f'timed out consuming: assignment {assignment}, consumed {len(consumed)}')
    consumer.commit()
    out = {
        'assignment': sorted(tp.partition for tp in assignment),
        'committed': {str(tp.partition): consumer.committed(tp) for tp in assignment},
        'consumed': consumed,
    }
    consumer.close()
    return out




if __name__ == '__main__':
    main()
