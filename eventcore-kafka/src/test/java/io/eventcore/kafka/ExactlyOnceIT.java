package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.NonRetryableException;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.Ordering;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Consume &rarr; produce in one Kafka transaction, on a real broker: each input's output and dead letter are seen
 * once by a {@code read_committed} reader, also when a handler attempt fails after publishing and when the consumer
 * dies (a JVM {@link Error}) after handling records it never committed.
 */
class ExactlyOnceIT {
    record Order(String id, int seq) {
    }

    record Shipment(String orderId) {
    }

    private static final int N = 120;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final String in = "eos-in-" + UUID.randomUUID();
    private final String out = "eos-out-" + UUID.randomUUID();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            AutoCloseable c = closeables.get(i);
            if (c instanceof KafkaEventConsumer consumer) {
                consumer.close(Duration.ofSeconds(5));
            } else {
                c.close();
            }
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    private KafkaClientSettings client() {
        return KafkaClientSettings.of(EmbeddedKafka.bootstrapServers());
    }

    private void produceInputs() {
        EmbeddedKafka.createTopics(3, in, out, in + ".dlq");
        try (KafkaEventPublisher p = KafkaEventPublisher.builder().client(client()).topic(in).build()) {
            List<Event<Order>> events = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                events.add(Event.of("Order", "k" + (i % 10), new Order("o" + i, i)));
            }
            p.publishAll(events).toCompletableFuture().join();
        }
    }

    /** Reads a topic with {@code read_committed} until {@code atLeast} records, then one more quiet second. */
    private List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int atLeast) {
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers(), "isolation.level", "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            await().pollInSameThread().atMost(Duration.ofSeconds(60)).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.size() >= atLeast;
            });
            long quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < quietUntil) {
                c.poll(Duration.ofMillis(100)).forEach(seen::add);
            }
        }
        return seen;
    }

    private static Map<String, Integer> countByValue(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            counts.merge(new String(r.value(), StandardCharsets.UTF_8), 1, Integer::sum);
        }
        return counts;
    }

    @ParameterizedTest
    @EnumSource(value = Ordering.class, names = {"PARTITION", "KEY"})
    void outputAndDeadLetters_onceEach_despiteFailedAttemptsAndAConsumerThatDiedBeforeCommitting(Ordering ordering)
            throws Exception {
        produceInputs();
        KafkaEventPublisher shipments = track(KafkaEventPublisher.builder().client(client()).topic(out).build());
        KafkaDeadLetterSink dlq = track(KafkaDeadLetterSink.builder().client(client()).build());
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        AtomicBoolean crash = new AtomicBoolean(true);
        Set<String> handledByFirst = ConcurrentHashMap.newKeySet();
        EventRouter first = track(router(shipments, dlq, failedOnce, e -> {
            handledByFirst.add(e.payload().id());
            // The first consumer dies once it handled (and published for) most records, before any commit.
            if (handledByFirst.size() >= N / 2 && crash.getAndSet(false)) {
                throw new OutOfMemoryError("simulated: the consumer dies before committing");
            }
        }));
        KafkaEventConsumer dying = track(KafkaEventConsumer.builder().client(client()).groupId("eos-" + out)
                .topics(in).ordering(ordering).commitInterval(Duration.ofHours(1)).router(first)
                .exactlyOnce(shipments, dlq).build());
        dying.start();
        await("the first consumer died").atMost(Duration.ofSeconds(60))
                .until(() -> dying.health().status() == ConsumerHealth.Status.DOWN);
        dying.close(Duration.ofSeconds(5));
        assertThat(handledByFirst).as("the first consumer handled records before it died").isNotEmpty();

        EventRouter second = track(router(shipments, dlq, failedOnce, e -> { }));
        KafkaEventConsumer survivor = track(KafkaEventConsumer.builder().client(client()).groupId("eos-" + out)
                .topics(in).ordering(ordering).commitInterval(Duration.ofMillis(100)).router(second)
                .exactlyOnce(shipments, dlq).build());
        survivor.start();

        int poison = N / 10; // every 10th order is dead-lettered
        Map<String, Integer> shipped = countByValue(readCommitted(out, N - poison));
        assertThat(shipped).as("one shipment per good order").hasSize(N - poison);
        assertThat(shipped.values()).as("each shipment once for a read_committed reader").containsOnly(1);
        List<ConsumerRecord<byte[], byte[]>> dead = readCommitted(in + ".dlq", poison);
        Set<String> deadIds = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            assertThat(deadIds.add(new String(r.headers().lastHeader("eventcore_dlq_offset").value(),
                    StandardCharsets.UTF_8) + "@" + new String(r.headers().lastHeader("eventcore_dlq_partition").value(),
                    StandardCharsets.UTF_8))).as("each dead letter once").isTrue();
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).as("original bytes").contains("\"seq\"");
        }
        assertThat(deadIds).hasSize(poison);
    }

    private interface Probe {
        void on(Event<Order> e);
    }

    /**
     * Ships every order (publishing before failing, so a failed attempt's output must be dropped): the first
     * attempt of every 7th order fails after publishing, every 10th order fails for good after publishing.
     */
    private EventRouter router(KafkaEventPublisher shipments, KafkaDeadLetterSink dlq, Set<String> failedOnce,
            Probe probe) {
        return EventRouter.builder().route("Order", Order.class, (e, ctx) -> {
            probe.on(e);
            shipments.publish(Event.of("Shipment", e.key(), new Shipment(e.payload().id())))
                    .toCompletableFuture().join();
            if (e.payload().seq() % 10 == 9) {
                throw new NonRetryableException("poison order " + e.payload().id());
            }
            if (e.payload().seq() % 7 == 3 && failedOnce.add(e.payload().id())) {
                throw new IllegalStateException("transient, after publishing");
            }
        }).retry(RetryPolicy.fixed(Duration.ofMillis(20)).maxAttempts(3)).deadLetter(dlq).build();
    }
}
