"""confluent-kafka-python (librdkafka) for test/e2e/external-clients.test.ts.

Reads messages ({"key", "value", "headers"} objects, as a JSON array) from stdin, creates the topic
with the AdminClient and describes its configs, produces the messages (librdkafka's partitioner
picks partitions by key), consumes every partition from the beginning with assign(), and prints the
cluster's metadata and both record lists as one JSON object. The consumer never joins a group:
the binding wants a group.id, but librdkafka only looks for a coordinator on brokers that
advertise FindCoordinator.
"""
import argparse
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

TIMEOUT_S = 30


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--bootstrap', required=True)
    parser.add_argument('--topic', required=True)
    parser.add_argument('--partitions', type=int, required=True)
    parser.add_argument('--compression', default='none')
    args = parser.parse_args()
    messages = json.load(sys.stdin)

    admin = AdminClient({'bootstrap.servers': args.bootstrap})
    new_topic = NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1, config={'retention.ms': '3600000'})
    admin.create_topics([new_topic])[args.topic].result(TIMEOUT_S)
    resource = ConfigResource('topic', args.topic)
    configs = admin.describe_configs([resource])[resource].result(TIMEOUT_S)
    metadata = admin.list_topics(timeout=TIMEOUT_S)

    print(json.dumps({
        'brokers': [f'{b.id}@{b.host}:{b.port}' for b in metadata.brokers.values()],
        'topics': {name: len(t.partitions) for name, t in metadata.topics.items()},
        'configs': {name: entry.value for name, entry in configs.items() if name in ('retention.ms', 'cleanup.policy')},
        'produced': produce(args.bootstrap, args.topic, args.compression, messages),
        'consumed': consume(args.bootstrap, args.topic, args.partitions, len(messages)),
    }))


def produce(bootstrap, topic, compression, messages):
    producer = Producer({'bootstrap.servers': bootstrap, 'compression.type': compression, 'acks': 'all'})
    produced = [None] * len(messages)

    def delivered(index):
        def report(error, message):
            if error is not None:
                sys.exit(f'delivery of message {index} failed: {error}')
            produced[index] = {'partition': message.partition(), 'offset': message.offset(), **messages[index]}
        return report

    for index, m in enumerate(messages):
        headers = [(k, v.encode()) for k, v in m['headers']]
        producer.produce(topic, key=m['key'], value=m['value'], headers=headers, on_delivery=delivered(index))
    if producer.flush(TIMEOUT_S) != 0:
        sys.exit('messages left undelivered')
    return produced


def consume(bootstrap, topic, partitions, count):
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'external-clients', 'enable.auto.commit': False})
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    consumed = []
    deadline = time.monotonic() + TIMEOUT_S
    while len(consumed) < count and time.monotonic() < deadline:
        message = consumer.poll(1)
        if message is None:
            continue
        if message.error() is not None:
            sys.exit(f'consume failed: {message.error()}')
        consumed.append(record(message))
    consumer.close()
    return consumed


def record(message):
    return {
        'partition': message.partition(),
        'offset': message.offset(),
        'key': message.key().decode(),
        'value': message.value().decode(),
        'headers': [[k, v.decode()] for k, v in message.headers() or []],
    }


if __name__ == '__main__':
    main()
