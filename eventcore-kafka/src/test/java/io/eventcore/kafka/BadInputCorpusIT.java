package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.EventHeaders;
import io.eventcore.routing.EventRouter;
import io.eventcore.EventType;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.KafkaTopics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A corpus of malformed and hostile records sent through a real broker. Each record ends where the
 * policy says (handled, or the DLQ with its original bytes), and the consumer keeps going and
 * stays healthy. (No heap bound is asserted: the broker shares this JVM, so the heap in use says
 * nothing about the consumer.)
 */
class BadInputCorpusIT {
    @EventType("OrderCreated")
    record OrderCreated(String orderId, BigDecimal total) {
    }

    enum Expect { HANDLED, DEAD_LETTERED }

    /** One corpus entry: a value (may be null), the event_type header (may be null), extra headers. */
    record Entry(String name, byte[] value, String type, Map<String, byte[]> headers, Expect expect) {
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Entry bad(String name, byte[] value, String type) {
        return new Entry(name, value, type, Map.of(), Expect.DEAD_LETTERED);
    }

    private static Entry bad(String name, String value) {
        return bad(name, utf8(value), "OrderCreated");
    }

    private static Entry good(String name, String value, String type) {
        return new Entry(name, utf8(value), type, Map.of(), Expect.HANDLED);
    }

    static List<Entry> corpus() {
        String ok = "{\"orderId\":\"%s\",\"total\":12.50}";
        byte[] fiveMb = new byte[5 * 1024 * 1024];
        Arrays.fill(fiveMb, (byte) 'a');
        byte[] fiveMbUnknownField = utf8("{\"orderId\":\"big\",\"total\":1,\"note\":\"" + "x".repeat(5 * 1024 * 1024)
                + "\"}");
        byte[] twoMbKnownField = utf8("{\"orderId\":\"" + "y".repeat(2 * 1024 * 1024) + "\",\"total\":1}");
        List<Entry> c = new ArrayList<>();
        c.add(bad("not JSON", "hello, world"));
        c.add(bad("truncated JSON", "{\"orderId\":\"o-1\",\"total\":"));
        c.add(bad("wrong field type", "{\"orderId\":\"o-1\",\"total\":\"twelve\"}"));
        c.add(bad("missing event_type", utf8(ok.formatted("no-type")), null));
        c.add(bad("unknown event_type", utf8(ok.formatted("unknown")), "OrderExploded"));
        c.add(bad("empty value", new byte[0], "OrderCreated"));
        c.add(bad("null value (tombstone)", null, "OrderCreated"));
        c.add(bad("invalid UTF-8", new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}, "OrderCreated"));
        c.add(bad("5 MB of non-JSON", fiveMb, "OrderCreated"));
        c.add(bad("2 MB string in a mapped field (over the 1 MiB string limit)", twoMbKnownField, "OrderCreated"));
        c.add(new Entry("5 MB string in an unknown field is skipped, not buffered", fiveMbUnknownField, "OrderCreated",
                Map.of(), Expect.HANDLED));
        c.add(bad("deeply nested JSON", "[".repeat(10_000) + "]".repeat(10_000)));
        c.add(bad("nested object 100 deep", "{\"a\":".repeat(100) + "1" + "}".repeat(100)));
        c.add(bad("duplicate keys", "{\"orderId\":\"a\",\"orderId\":\"b\",\"total\":1}"));
        c.add(bad("trailing garbage", "{\"orderId\":\"a\",\"total\":1} trailing"));
        c.add(bad("JSON array instead of object", "[1,2,3]"));
        c.add(bad("JSON null literal", "null"));
        c.add(bad("number with 1000 digits", "{\"orderId\":\"a\",\"total\":" + "9".repeat(1000) + "}"));
        c.add(bad("NaN", "{\"orderId\":\"a\",\"total\":NaN}"));
        c.add(bad("comments", "/* hi */ {\"orderId\":\"a\",\"total\":1}"));
        c.add(bad("single quotes", "{'orderId':'a','total':1}"));
        c.add(bad("polymorphic gadget as event_type", utf8("{\"@class\":\"java.lang.ProcessBuilder\"}"),
                "java.lang.ProcessBuilder"));
        c.add(bad("default-typing array gadget", "[\"java.net.URL\",\"http://127.0.0.1:1/\"]"));
        c.add(bad("control characters in event_type header", utf8(ok.formatted("ctl")), "Order\u0000Created\u0007"));
        c.add(bad("10 KB event_type header", utf8(ok.formatted("long-type")), "T".repeat(10_240)));
        c.add(new Entry("control characters in a custom header", utf8(ok.formatted("ctl-header")), "OrderCreated",
                Map.of("x-\u0001\u001b[31m", new byte[] {0, 1, 2, (byte) 0xFF}), Expect.HANDLED));
        c.add(good("class name in the body is ignored, not instantiated",
                "{\"@class\":\"java.lang.ProcessBuilder\",\"orderId\":\"gadget-body\",\"total\":1}", "OrderCreated"));
        c.add(good("event_type only as a JSON field", "{\"event_type\":\"OrderCreated\",\"orderId\":\"field-type\",\"total\":3}",
                null));
        c.add(good("unicode and emoji", "{\"orderId\":\"\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9-\uD83D\uDE80\",\"total\":1}",
                "OrderCreated"));
        c.add(good("numbers as strings are coerced", "{\"orderId\":\"coerced\",\"total\":\"12.5\"}", "OrderCreated"));
        c.add(good("valid control record", ok.formatted("control"), "OrderCreated"));
        return c;
    }

    private static int entryIndex(ConsumerRecord<byte[], byte[]> letter) {
        return Integer.parseInt(new String(letter.headers().lastHeader("corpus_entry").value(), StandardCharsets.UTF_8));
    }

    private static Map<String, Integer> deadLettersByEntry(List<Entry> corpus, List<ConsumerRecord<byte[], byte[]>> letters) {
        Map<String, Integer> out = new HashMap<>();
        letters.forEach(letter -> out.merge(corpus.get(entryIndex(letter)).name(), 1, Integer::sum));
        return out;
    }

    @Test
    void everyCorpusRecord_endsWhereThePolicySays_andTheConsumerKeepsGoing() throws Exception {
        String topic = "corpus-" + System.nanoTime();
        String bootstrap = EmbeddedKafka.bootstrapServers();
        Map<String, String> big = Map.of("max.message.bytes", String.valueOf(16 * 1024 * 1024));
        KafkaTopics.create(Map.of("bootstrap.servers", bootstrap), 3, big, topic);
        KafkaTopics.create(Map.of("bootstrap.servers", bootstrap), 1, big, topic + ".dlq");
        List<Entry> corpus = corpus();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(25);

        Set<String> handled = ConcurrentHashMap.newKeySet();
        Map<String, Object> bigRequests = Map.of("max.request.size", String.valueOf(16 * 1024 * 1024));
        try (KafkaDeadLetterSink dlq = KafkaDeadLetterSink.builder().bootstrapServers(bootstrap)
                .properties(bigRequests).build();
                EventRouter router = EventRouter.builder()
                        .route(OrderCreated.class, (e, ctx) -> handled.add(e.payload().orderId()))
                        .retry(RetryPolicy.fixed(Duration.ofMillis(10)).maxAttempts(2)).deadLetter(dlq).build();
                KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap)
                        .groupId("corpus").topics(topic).router(router)
                        .properties(Map.of("max.partition.fetch.bytes", String.valueOf(16 * 1024 * 1024),
                                "fetch.max.bytes", String.valueOf(32 * 1024 * 1024)))
                        .build()) {
            consumer.start();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                    "max.request.size", String.valueOf(16 * 1024 * 1024)), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (int round = 0; round < 2; round++) {
                    for (int i = 0; i < corpus.size(); i++) {
                        Entry e = corpus.get(i);
                        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, i % 3,
                                utf8("entry-" + i), e.value());
                        if (e.type() != null) {
                            r.headers().add(EventHeaders.EVENT_TYPE, utf8(e.type()));
                        }
                        r.headers().add("corpus_entry", utf8(String.valueOf(i)));
                        e.headers().forEach((k, v) -> r.headers().add(k, v));
                        producer.send(r).get(30, TimeUnit.SECONDS);
                    }
                }
            }
            Map<String, Integer> expectedDead = new HashMap<>();
            corpus.stream().filter(e -> e.expect() == Expect.DEAD_LETTERED).forEach(e -> expectedDead.put(e.name(), 2));
            List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                    "max.partition.fetch.bytes", String.valueOf(16 * 1024 * 1024)), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                TopicPartition dlqPart = new TopicPartition(topic + ".dlq", 0);
                reader.assign(List.of(dlqPart));
                reader.seekToBeginning(List.of(dlqPart));
                // Every entry that must be dead-lettered is, twice (once per round), and no other is.
                Awaitility.await().pollInSameThread().atMost(90, TimeUnit.SECONDS).untilAsserted(() -> {
                    reader.poll(Duration.ofMillis(200)).forEach(letters::add);
                    assertThat(deadLettersByEntry(corpus, letters)).as("dead letters per corpus entry")
                            .isEqualTo(expectedDead);
                });
            }
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> consumer.health().healthy());

            for (ConsumerRecord<byte[], byte[]> letter : letters) {
                Entry e = corpus.get(entryIndex(letter));
                assertThat(letter.value()).as("original bytes of '%s'", e.name()).isEqualTo(e.value());
                assertThat(letter.headers().lastHeader("eventcore_dlq_exception")).as(e.name()).isNotNull();
            }
            assertThat(handled).contains("big", "gadget-body", "field-type", "coerced", "control", "ctl-header",
                    "\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9-\uD83D\uDE80");
            System.out.printf("[BadInputCorpusIT] %d entries x 2 rounds: %d dead letters, %d distinct handled%n",
                    corpus.size(), letters.size(), handled.size());
        }
    }
}
