// A sarama client for test/e2e/external-clients.test.ts. It reads messages ({"key", "value",
// "headers"} objects, as a JSON array) from stdin, optionally creates the topic with the cluster
// admin and describes two of its configs, produces the messages with a SyncProducer (sarama's
// hash partitioner picks partitions by key), consumes every partition they went to from the
// oldest offset with the plain Consumer, and prints the cluster's brokers, its topics with their
// partition counts, the described configs and both record lists as one JSON object.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/Shopify/sarama"
)

type message struct {
	Key     string      `json:"key"`
	Value   string      `json:"value"`
	Headers [][2]string `json:"headers"`
}

type record struct {
	Partition int32 `json:"partition"`
	Offset    int64 `json:"offset"`
	message
}

type result struct {
	Brokers  []string          `json:"brokers"`
	Topics   map[string]int    `json:"topics"`
	Configs  map[string]string `json:"configs,omitempty"`
	Produced []record          `json:"produced"`
	Consumed []record          `json:"consumed"`
}

var codecs = map[string]sarama.CompressionCodec{
	"none":   sarama.CompressionNone,
	"gzip":   sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy,
	"lz4":    sarama.CompressionLZ4,
	"zstd":   sarama.CompressionZSTD,
}

func main() {
	bootstrap := flag.String("bootstrap", "", "bootstrap address, host:port")
	topic := flag.String("topic", "", "topic to produce to and consume from")
	version := flag.String("version", "", "Kafka version sarama assumes (default: sarama's own default, its oldest)")
	compression := flag.String("compression", "none", "none, gzip, snappy, lz4 or zstd")
	create := flag.Int("create", 0, "create the topic with this many partitions with the cluster admin, and describe its configs")
	idempotent := flag.Bool("idempotent", false, "produce with an idempotent producer (needs -version 0.11.0 or later)")
	flag.Parse()

	var messages []message
	check(json.NewDecoder(os.Stdin).Decode(&messages), "reading messages")
	config := sarama.NewConfig()
	if *version != "" {
		v, err := sarama.ParseKafkaVersion(*version)
		check(err, "version")
		config.Version = v
	}
	codec, known := codecs[*compression]
	if !known {
		check(fmt.Errorf("unknown codec %q", *compression), "compression")
	}
	config.Producer.Compression = codec
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Return.Successes = true
	config.Metadata.Retry.Max = 20
	config.Metadata.Retry.Backoff = 100 * time.Millisecond
	if *idempotent {
		config.Producer.Idempotent = true
		config.Net.MaxOpenRequests = 1
	}

	var out result
	if *create > 0 {
		out.Configs = createTopic(*bootstrap, *topic, int32(*create), config)
	}
	client, err := sarama.NewClient([]string{*bootstrap}, config)
	check(err, "client")
	defer client.Close()
	out.Produced = produce(client, *topic, messages)
	out.Consumed = consume(client, *topic, out.Produced)
	for _, b := range client.Brokers() {
		out.Brokers = append(out.Brokers, fmt.Sprintf("%d@%s", b.ID(), b.Addr()))
	}
	topics, err := client.Topics()
	check(err, "topics")
	out.Topics = map[string]int{}
	for _, t := range topics {
		partitions, err := client.Partitions(t)
		check(err, "partitions")
		out.Topics[t] = len(partitions)
	}
	check(json.NewEncoder(os.Stdout).Encode(out), "output")
}

func createTopic(bootstrap, topic string, partitions int32, config *sarama.Config) map[string]string {
	admin, err := sarama.NewClusterAdmin([]string{bootstrap}, config)
	check(err, "admin")
	defer admin.Close()
	retention := "3600000"
	detail := &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1, ConfigEntries: map[string]*string{"retention.ms": &retention}}
	check(admin.CreateTopic(topic, detail, false), "create topic")
	entries, err := admin.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: topic, ConfigNames: []string{"retention.ms", "cleanup.policy"}})
	check(err, "describe config")
	configs := map[string]string{}
	for _, e := range entries {
		configs[e.Name] = e.Value
	}
	return configs
}

func produce(client sarama.Client, topic string, messages []message) []record {
	producer, err := sarama.NewSyncProducerFromClient(client)
	check(err, "producer")
	defer producer.Close()
	batch := make([]*sarama.ProducerMessage, len(messages))
	for i, m := range messages {
		batch[i] = &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(m.Key), Value: sarama.StringEncoder(m.Value)}
		for _, h := range m.Headers {
			batch[i].Headers = append(batch[i].Headers, sarama.RecordHeader{Key: []byte(h[0]), Value: []byte(h[1])})
		}
	}
	check(producer.SendMessages(batch), "produce")
	produced := make([]record, len(batch))
	for i, m := range batch {
		produced[i] = record{Partition: m.Partition, Offset: m.Offset, message: messages[i]}
	}
	return produced
}

// consume reads each partition from the oldest offset until it has passed the last offset produced
// to it, or 30 seconds have gone by.
func consume(client sarama.Client, topic string, produced []record) []record {
	consumer, err := sarama.NewConsumerFromClient(client)
	check(err, "consumer")
	defer consumer.Close()
	last := map[int32]int64{}
	for _, r := range produced {
		if offset, seen := last[r.Partition]; !seen || r.Offset > offset {
			last[r.Partition] = r.Offset
		}
	}
	consumed := []record{}
	deadline := time.After(30 * time.Second)
	for partition, lastOffset := range last {
		pc, err := consumer.ConsumePartition(topic, partition, sarama.OffsetOldest)
		check(err, "consume partition")
		for done := false; !done; {
			select {
			case m := <-pc.Messages():
				r := record{Partition: m.Partition, Offset: m.Offset, message: message{Key: string(m.Key), Value: string(m.Value), Headers: [][2]string{}}}
				for _, h := range m.Headers {
					r.Headers = append(r.Headers, [2]string{string(h.Key), string(h.Value)})
				}
				consumed = append(consumed, r)
				done = m.Offset >= lastOffset
			case <-deadline:
				fmt.Fprintf(os.Stderr, "timed out consuming %s-%d\n", topic, partition)
				done = true
			}
		}
		check(pc.Close(), "close partition consumer")
	}
	return consumed
}

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
		os.Exit(1)
	}
}
