package io.eventcore.kafka;

import io.eventcore.test.EmbeddedKafka;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.transport.ConsumerHealth;
import io.eventcore.EventHeaders;
import io.eventcore.routing.EventRouter;
import io.eventcore.NonRetryableException;
import io.eventcore.retry.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Poison pills, dead letters and fatal errors against a real broker. */
class KafkaDeadLetterIT {
    record Order(String id) {
    }

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final String topic = "dlq-it-" + UUID.randomUUID();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    private void produce(String key, byte[] value, String type) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
            if (type != null) {
                r.headers().add(EventHeaders.EVENT_TYPE, type.getBytes(StandardCharsets.UTF_8));
            }
            r.headers().add(new RecordHeader("eventcore_dlq_exception", "stale".getBytes(StandardCharsets.UTF_8)));
            p.send(r).get();
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String t, int atLeast) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(t).stream()
                    .map(p -> new TopicPartition(t, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            await().pollInSameThread().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= atLeast;
            });
        }
        return out;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void poisonPills_goToTheDlqWithOriginalBytes_andConsumptionContinues() throws Exception {
        EmbeddedKafka.createTopics(1, topic, topic + ".dlq");
        String bootstrap = EmbeddedKafka.bootstrapServers();
        KafkaDeadLetterSink sink = track(KafkaDeadLetterSink.builder().bootstrapServers(bootstrap).build());
        Map<String, Boolean> handled = new ConcurrentHashMap<>();
        EventRouter router = track(EventRouter.builder().route(Order.class, (e, c) -> handled.put(e.payload().id(), true))
                .deadLetter(sink).build());
        KafkaEventConsumer consumer = track(KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId("g-" + topic)
                .topics(topic).router(router).build());
        consumer.start();

        produce("k1", "{not json".getBytes(StandardCharsets.UTF_8), "Order");
        produce("k2", null, "Order");
        produce("k3", "{\"id\":\"no-type\"}".getBytes(StandardCharsets.UTF_8), null);
        produce("k4", "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8), "Unknown");
        produce("k5", new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF}, "Order");
        produce("k6", "{\"id\":\"good\"}".getBytes(StandardCharsets.UTF_8), "Order");

        await().atMost(Duration.ofSeconds(30)).until(() -> handled.containsKey("good"));
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(topic + ".dlq", 5);
        assertThat(dead).hasSize(5);
        // Different keys run in parallel, so dead letters arrive in any order: index them by key.
        Map<String, ConsumerRecord<byte[], byte[]>> byKey = new java.util.HashMap<>();
        dead.forEach(r -> byKey.put(new String(r.key(), StandardCharsets.UTF_8), r));
        ConsumerRecord<byte[], byte[]> first = byKey.get("k1");
        assertThat(new String(first.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        assertThat(header(first, "event_type")).isEqualTo("Order");
        assertThat(header(first, "eventcore_dlq_topic")).isEqualTo(topic);
        assertThat(header(first, "eventcore_dlq_partition")).isEqualTo("0");
        assertThat(header(first, "eventcore_dlq_offset")).isEqualTo("0");
        assertThat(header(first, "eventcore_dlq_group")).isEqualTo("g-" + topic);
        assertThat(header(first, "eventcore_dlq_exception")).isEqualTo("io.eventcore.codec.DecodeException");
        assertThat(header(first, "eventcore_dlq_attempts")).isEqualTo("0");
        assertThat(header(first, "eventcore_dlq_stacktrace")).contains("DecodeException");
        assertThat(first.headers().headers("eventcore_dlq_exception")).as("old DLQ headers replaced").hasSize(1);
        assertThat(byKey.get("k2").value()).as("null value stays null").isNull();
        assertThat(header(byKey.get("k3"), "eventcore_dlq_exception")).isEqualTo("io.eventcore.routing.UnknownEventTypeException");
        assertThat(header(byKey.get("k4"), "eventcore_dlq_exception")).isEqualTo("io.eventcore.routing.UnknownEventTypeException");
        assertThat(byKey.get("k5").value()).isEqualTo(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF});
        assertThat(consumer.health().status()).isEqualTo(ConsumerHealth.Status.UP);
    }

    @Test
    void deadLetterSinkDown_holdsTheOffset_untilTheWriteSucceeds() throws Exception {
        EmbeddedKafka.createTopics(1, topic);
        String bootstrap = EmbeddedKafka.bootstrapServers();
        AtomicBoolean sinkDown = new AtomicBoolean(true);
        AtomicInteger refusedWrites = new AtomicInteger();
        List<String> stored = new java.util.concurrent.CopyOnWriteArrayList<>();
        EventRouter router = track(EventRouter.builder()
                .route(Order.class, (e, c) -> {
                    if (e.payload().id().equals("bad")) {
                        throw new NonRetryableException("rejected");
                    }
                })
                .deadLetter(letter -> {
                    if (sinkDown.get()) {
                        refusedWrites.incrementAndGet();
                        throw new java.io.IOException("dlq unavailable");
                    }
                    stored.add(letter.eventId());
                })
                .retry(RetryPolicy.none()).build());
        String group = "g-" + topic;
        KafkaEventConsumer consumer = track(KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group)
                .topics(topic).router(router).commitInterval(Duration.ofMillis(100))
                .failedBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build());
        consumer.start();
        produce("k", "{\"id\":\"bad\"}".getBytes(StandardCharsets.UTF_8), "Order");
        produce("k", "{\"id\":\"after\"}".getBytes(StandardCharsets.UTF_8), "Order");

        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrap))) {
            // First the consumer must have joined and consumed the bad record: its dead letter was
            // refused, and refused again on the back-off retry. Only then does "nothing committed"
            // say something.
            await().atMost(Duration.ofSeconds(30)).until(() -> refusedWrites.get() >= 2);
            // While the sink is down, nothing past the bad record may be committed (commitInterval
            // is 100 ms, so two seconds span many commit rounds), and the write keeps being retried.
            int refusedBefore = refusedWrites.get();
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
                    committed(admin, group) <= 0);
            assertThat(refusedWrites.get()).as("the dead-letter write is retried meanwhile").isGreaterThan(refusedBefore);
            sinkDown.set(false);
            await().atMost(Duration.ofSeconds(20)).until(() -> committed(admin, group) == 2);
        }
        assertThat(stored).hasSize(1);
    }

    private long committed(org.apache.kafka.clients.admin.Admin admin, String group) throws Exception {
        var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        var om = offsets.get(new TopicPartition(topic, 0));
        return om == null ? -1 : om.offset();
    }

    @Test
    void jvmError_stopsTheConsumer_reportsDown_andDoesNotCommitPastTheRecord() throws Exception {
        EmbeddedKafka.createTopics(1, topic);
        String bootstrap = EmbeddedKafka.bootstrapServers();
        EventRouter router = track(EventRouter.builder()
                .route(Order.class, (e, c) -> {
                    if (e.payload().id().equals("boom")) {
                        throw new AssertionError("simulated JVM error");
                    }
                }).build());
        String group = "g-" + topic;
        KafkaEventConsumer consumer = track(KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group)
                .topics(topic).router(router).ordering(io.eventcore.transport.Ordering.PARTITION)
                .commitInterval(Duration.ofMillis(100)).build());
        consumer.start();
        produce("k", "{\"id\":\"ok\"}".getBytes(StandardCharsets.UTF_8), "Order");
        produce("k", "{\"id\":\"boom\"}".getBytes(StandardCharsets.UTF_8), "Order");
        produce("k", "{\"id\":\"later\"}".getBytes(StandardCharsets.UTF_8), "Order");

        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.health().status() == ConsumerHealth.Status.DOWN);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrap))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> committed(admin, group) == 1);
        }
    }
}
