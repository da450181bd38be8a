package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.KafkaTopics;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The consume → produce snippet of {@code docs/transactions.md}, compiled and run on the embedded broker. */
class ExactlyOnceDocIT {
    record OrderPaid(String orderId) {
    }

    record ShipmentRequested(String orderId) {
    }

    @Test
    void docSnippet_shipsEachPaidOrderOnce() throws Exception {
        String suffix = UUID.randomUUID().toString();
        String orders = "orders-" + suffix;
        String shipmentsTopic = "shipments-" + suffix;
        EmbeddedKafka.createTopics(1, orders, shipmentsTopic);
        KafkaClientSettings client = KafkaClientSettings.of(EmbeddedKafka.bootstrapServers());
        try (KafkaEventPublisher input = KafkaEventPublisher.builder().client(client).topic(orders).build()) {
            input.publishAll(List.of(Event.of("OrderPaid", "o-1", new OrderPaid("o-1")),
                    Event.of("OrderPaid", "o-2", new OrderPaid("o-2")))).toCompletableFuture().join();
        }

        // --- docs/transactions.md, "Consume → produce" (topic and group names made unique) ---
        KafkaEventPublisher shipments = KafkaEventPublisher.builder().client(client).topic(shipmentsTopic).build();
        KafkaDeadLetterSink deadLetters = KafkaDeadLetterSink.builder().client(client).build();
        EventRouter router = EventRouter.builder()
                .route(OrderPaid.class, (event, ctx) -> shipments.publish(Event.of("ShipmentRequested",
                        event.key(), new ShipmentRequested(event.payload().orderId()))))
                .deadLetter(deadLetters)
                .build();
        KafkaEventConsumer consumer = KafkaEventConsumer.builder().client(client)
                .groupId("shipping-" + suffix).topics(orders).router(router)
                .exactlyOnce(shipments, deadLetters)
                .build();
        // --- end of snippet ---

        try {
            consumer.start();
            Awaitility.await("two shipments committed").atMost(Duration.ofSeconds(30))
                    .until(() -> KafkaTopics.endOffsets(EmbeddedKafka.bootstrapServers(), shipmentsTopic) >= 2);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            router.close();
            shipments.close();
            deadLetters.close();
        }
        List<String> shipped = new java.util.ArrayList<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> reader =
                new org.apache.kafka.clients.consumer.KafkaConsumer<>(java.util.Map.of("bootstrap.servers",
                        EmbeddedKafka.bootstrapServers(), "isolation.level", "read_committed"),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(shipmentsTopic, 0);
            reader.assign(List.of(tp));
            reader.seekToBeginning(List.of(tp));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                reader.poll(Duration.ofMillis(200)).forEach(r -> shipped.add(new String(r.value(),
                        java.nio.charset.StandardCharsets.UTF_8)));
                return reader.position(tp) >= KafkaTopics.endOffsets(EmbeddedKafka.bootstrapServers(), shipmentsTopic);
            });
        }
        assertThat(shipped).as("one shipment per paid order").hasSize(2)
                .anyMatch(v -> v.contains("o-1")).anyMatch(v -> v.contains("o-2"));
    }
}
