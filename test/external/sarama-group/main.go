// A sarama consumer group member for test/e2e/external-clients.test.ts. It reads messages
// ({"key", "value", "headers"} objects, as a JSON array) from stdin and produces them with a
// SyncProducer (none when the array is empty), then joins the group with sarama's ConsumerGroup
// (Kafka 2.0.0 protocol versions), consumes every partition it claims from the group's committed
// offset (the oldest when there is none) up to the log end, marks each message it consumed, and
// leaves the group: the session's offset manager commits the marked offsets as it closes. It
// prints the produced and consumed records, its generation, member id and claims as one JSON
// object.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
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
	Produced   []record `json:"produced"`
	Consumed   []record `json:"consumed"`
	Generation int32    `json:"generation"`
	MemberID   string   `json:"member_id"`
	Claims     []int32  `json:"claims"`
}

// member consumes its claims up to the log end offsets of `ends` and cancels the session's
// context once every claim has got there.
type member struct {
	ends   map[int32]int64
	cancel context.CancelFunc
	mu     sync.Mutex
	out    *result
	done   map[int32]bool
}

func (m *member) Setup(s sarama.ConsumerGroupSession) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.out.Generation = s.GenerationID()
	m.out.MemberID = s.MemberID()
	m.out.Claims = []int32{}
	for _, partitions := range s.Claims() {
		m.out.Claims = append(m.out.Claims, partitions...)
	}
	sort.Slice(m.out.Claims, func(i, j int) bool { return m.out.Claims[i] < m.out.Claims[j] })
	m.done = map[int32]bool{}
	return nil
}

func (m *member) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (m *member) reached(partition int32, claims int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done[partition] = true
	if len(m.done) == claims {
		m.cancel()
	}
}

func (m *member) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	claims := len(m.out.Claims)
	end := m.ends[claim.Partition()]
	if claim.InitialOffset() >= end {
		m.reached(claim.Partition(), claims)
	}
	for {
		select {
		case msg, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			r := record{Partition: msg.Partition, Offset: msg.Offset, message: message{Key: string(msg.Key), Value: string(msg.Value), Headers: [][2]string{}}}
			for _, h := range msg.Headers {
				r.Headers = append(r.Headers, [2]string{string(h.Key), string(h.Value)})
			}
			m.mu.Lock()
			m.out.Consumed = append(m.out.Consumed, r)
			m.mu.Unlock()
			s.MarkMessage(msg, "")
			if msg.Offset+1 >= end {
				m.reached(claim.Partition(), claims)
			}
		case <-s.Context().Done():
			return nil
		}
	}
}

func main() {
	bootstrap := flag.String("bootstrap", "", "bootstrap address, host:port")
	topic := flag.String("topic", "", "topic to produce to and consume from")
	group := flag.String("group", "", "consumer group")
	flag.Parse()

	var messages []message
	check(json.NewDecoder(os.Stdin).Decode(&messages), "reading messages")
	config := sarama.NewConfig()
	config.Version = sarama.V2_0_0_0
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Return.Successes = true
	config.Metadata.Retry.Max = 20
	config.Metadata.Retry.Backoff = 100 * time.Millisecond
	config.Consumer.Offsets.Initial = sarama.OffsetOldest
	config.Consumer.Return.Errors = true
	config.Consumer.Group.Session.Timeout = 6 * time.Second
	config.Consumer.Group.Heartbeat.Interval = 500 * time.Millisecond

	client, err := sarama.NewClient([]string{*bootstrap}, config)
	check(err, "client")
	defer client.Close()
	out := result{Produced: produce(client, *topic, messages), Consumed: []record{}}

	partitions, err := client.Partitions(*topic)
	check(err, "partitions")
	ends := map[int32]int64{}
	for _, p := range partitions {
		ends[p], err = client.GetOffset(*topic, p, sarama.OffsetNewest)
		check(err, "log end offset")
	}

	consumerGroup, err := sarama.NewConsumerGroupFromClient(*group, client)
	check(err, "consumer group")
	go func() {
		for err := range consumerGroup.Errors() {
			fmt.Fprintf(os.Stderr, "consumer group: %v\n", err)
			os.Exit(1)
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	handler := &member{ends: ends, cancel: cancel, out: &out}
	deadline := time.AfterFunc(30*time.Second, func() {
		fmt.Fprintln(os.Stderr, "timed out consuming")
		os.Exit(1)
	})
	for ctx.Err() == nil {
		check(consumerGroup.Consume(ctx, []string{*topic}, handler), "consume")
	}
	deadline.Stop()
	check(consumerGroup.Close(), "close consumer group")
	check(json.NewEncoder(os.Stdout).Encode(out), "output")
}

func produce(client sarama.Client, topic string, messages []message) []record {
	if len(messages) == 0 {
		return []record{}
	}
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

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
		os.Exit(1)
	}
}
