"""kafka-python for test/e2e/external-clients.test.ts.

Reads messages ({"key", "value", "headers"} objects, as a JSON array) from stdin, creates the topic
with KafkaAdminClient and describes its configs, produces the messages (kafka-python's murmur2
partitioner picks partitions by key), consumes every partition from the beginning with assign()
and no group, and prints the cluster's metadata and both record lists as one JSON object.
"""
import argparse
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic

TIMEOUT_S = 30


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--bootstrap', required=True)
    parser.add_argument('--topic', required=True)
    parser.add_argument('--partitions', type=int, required=True)
    parser.add_argument('--compression', default='none')
    args = parser.parse_args()
    messages = json.load(sys.stdin)

    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap)
    created = admin.create_topics([NewTopic(args.topic, args.partitions, 1, topic_configs={'retention.ms': '3600000'})])
    errors = [error for _, error, _ in created.topic_errors if error != 0]
    if errors:
        sys.exit(f'create_topics failed: {created}')
    described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, args.topic, {'retention.ms': None, 'cleanup.policy': None})])
    cluster = admin.describe_cluster()
    topics = admin.describe_topics()
    admin.close()

    print(json.dumps({
        'brokers': [f'{b["node_id"]}@{b["host"]}:{b["port"]}' for b in cluster['brokers']],
        'topics': {t['topic']: len(t['partitions']) for t in topics},
        'configs': {entry[0]: entry[1] for entry in described[0].resources[0][4]},
        'produced': produce(args.bootstrap, args.topic, args.compression, messages),
        'consumed': consume(args.bootstrap, args.topic, args.partitions, len(messages)),
    }))


def produce(bootstrap, topic, compression, messages):
    producer = KafkaProducer(bootstrap_servers=bootstrap, compression_type=None if compression == 'none' else compression, acks='all')
    futures = []
    for m in messages:
        headers = [(k, v.encode()) for k, v in m['headers']]
        futures.append(producer.send(topic, key=m['key'].encode(), value=m['value'].encode(), headers=headers))
    producer.flush(TIMEOUT_S)
    produced = []
    for m, future in zip(messages, futures):
        metadata = future.get(TIMEOUT_S)
        produced.append({'partition': metadata.partition, 'offset': metadata.offset, **m})
    producer.close()
    return produced


def consume(bootstrap, topic, partitions, count):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    consumer.assign([TopicPartition(topic, p) for p in range(partitions)])
    consumer.seek_to_beginning()
    consumed = []
    deadline = time.monotonic() + TIMEOUT_S
    while len(consumed) < count and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=1000).values():
            consumed.extend(record(message) for message in batch)
    consumer.close()
    return consumed


def record(message):
    return {
        'partition': message.partition,
        'offset': message.offset,
        'key': message.key.decode(),
        'value': message.value.decode(),
        'headers': [[k, v.decode()] for k, v in message.headers],
    }


if __name__ == '__main__':
    main()
