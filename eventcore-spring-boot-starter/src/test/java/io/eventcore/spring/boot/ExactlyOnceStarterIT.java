package io.eventcore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.NonRetryableException;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.test.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code eventcore.consumer.exactly-once=true} on the in-JVM Kafka broker: the consumer's transactions take in what
 * a handler publishes through the starter's {@code KafkaEventPublisher} bean, so a failed attempt's output is
 * dropped and a {@code read_committed} reader sees each record's output once; poison records reach the starter's
 * dead-letter sink once each.
 */
class ExactlyOnceStarterIT {
    private static final int N = 20;

    record Shipment(String orderId) {
    }

    @Test
    void exactlyOnce_failedAttemptsOutputIsDropped_eachOutputSeenOnce() {
        String in = "boot-eos-in-" + UUID.randomUUID();
        String out = "boot-eos-out-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(3, in, out, in + ".dlq");
        try (KafkaEventPublisher inputs = KafkaEventPublisher.builder().bootstrapServers(EmbeddedKafka.bootstrapServers())
                .topic(in).build()) {
            List<Event<OrderPlaced>> orders = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                orders.add(Event.of("k" + (i % 5), new OrderPlaced("o" + i)));
            }
            inputs.publishAll(orders).toCompletableFuture().join();
        }
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                        EventcoreKafkaAutoConfiguration.class))
                .withPropertyValues("eventcore.kafka.bootstrap-servers=" + EmbeddedKafka.bootstrapServers(),
                        "eventcore.publisher.topic=" + out, "eventcore.consumer.group-id=boot-eos-" + UUID.randomUUID(),
                        "eventcore.consumer.topics=" + in, "eventcore.consumer.exactly-once=true",
                        "eventcore.consumer.shutdown-timeout=10s")
                .withBean(ShippingHandler.class)
                .withBean(EventRouterCustomizer.class,
                        () -> router -> router.retry(RetryPolicy.fixed(Duration.ofMillis(20)).maxAttempts(3)))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    int poison = N / 5;
                    Map<String, Integer> shipped = countByValue(readCommitted(out, N - poison));
                    assertThat(shipped).as("one shipment per good order").hasSize(N - poison);
                    assertThat(shipped.values()).as("each shipment once, the failed attempts' dropped")
                            .containsOnly(1);
                    assertThat(readCommitted(in + ".dlq", poison)).as("each poison order dead-lettered once")
                            .hasSize(poison);
                });
    }

    /**
     * Ships each order through the starter's publisher before failing: every first attempt fails after publishing,
     * and every 5th order fails for good after publishing.
     */
    static class ShippingHandler implements EventcoreHandler<OrderPlaced> {
        private final KafkaEventPublisher publisher;
        private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

        ShippingHandler(KafkaEventPublisher publisher) {
            this.publisher = publisher;
        }

        @Override
        public Class<OrderPlaced> payloadType() {
            return OrderPlaced.class;
        }

        @Override
        public void handle(Event<OrderPlaced> event, EventContext context) {
            String id = event.payload().orderId();
            publisher.publish(Event.of(event.key(), new Shipment(id))).toCompletableFuture().join();
            if (Integer.parseInt(id.substring(1)) % 5 == 4) {
                throw new NonRetryableException("poison order " + id);
            }
            if (failedOnce.add(id)) {
                throw new IllegalStateException("transient, after publishing " + id);
            }
        }
    }

    /** Reads a topic with {@code read_committed} until {@code atLeast} records, then one more quiet second. */
    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int atLeast) {
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
}
