package io.eventcore.kafka;

import io.eventcore.transport.TopicNaming;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.routing.UnknownTypePolicy;
import io.eventcore.EventType;
import io.eventcore.transport.Ordering;
import io.eventcore.test.EmbeddedKafka;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The README's Kafka quickstart, compiled and run against the embedded broker. */
class ReadmeKafkaIT {
    @EventType("OrderCreated")
    record OrderCreated(String orderId, BigDecimal total) {
    }

    record Order(String id) {
    }

    private final Set<String> handled = ConcurrentHashMap.newKeySet();

    void onCreated(Event<OrderCreated> event, EventContext ctx) {
        handled.add(event.payload().orderId());
    }

    @Test
    void quickstart_publishesAndConsumes() {
        String bootstrap = EmbeddedKafka.bootstrapServers();
        EmbeddedKafka.createTopics(3, "order-events", "order-events.billing.retry", "order-events.dlq");
        Order order = new Order("o-1");
        BigDecimal total = new BigDecimal("9.99");
        List<Event<?>> events = List.of(Event.of("o-2", new OrderCreated("o-2", total)),
                Event.of("o-3", new OrderCreated("o-3", total)));

        // --- README snippet (bootstrap instead of "localhost:9092") ---
        KafkaEventPublisher publisher = KafkaEventPublisher.builder()
            .bootstrapServers(bootstrap)
            .topic("order-events")                       // or .topics(TopicNaming.perType("shop."))
            .properties(Map.of("compression.type", "lz4"))   // any producer property, passed through
            .build();                                     // enable.idempotence=true, acks=all by default
        publisher.publish(Event.of(order.id(), new OrderCreated(order.id(), total)));
        publisher.publishAll(events);                     // send the whole batch, then await it

        KafkaDeadLetterSink dlq = KafkaDeadLetterSink.builder().bootstrapServers(bootstrap).build();
        EventRouter router = EventRouter.builder()
            .route(OrderCreated.class, this::onCreated)
            .retry(RetryPolicy.fixed(Duration.ofSeconds(1)).maxAttempts(5).mode(RetryMode.REDELIVER))
            .deadLetter(dlq)                              // exhausted events -> order-events.dlq
            .onUnknownType(UnknownTypePolicy.SKIP)        // a shared topic: other types are not ours
            .build();
        KafkaEventConsumer consumer = KafkaEventConsumer.builder()
            .bootstrapServers(bootstrap)
            .groupId("billing")
            .topics("order-events")                      // + order-events.billing.retry (REDELIVER route)
            .router(router)
            .ordering(Ordering.KEY)                       // default; PARTITION, UNORDERED
            .maxConcurrency(64)                           // or .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
        consumer.start();
        // --- end of snippet ---
        try {
            Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> handled.size() == 3);
            assertThat(handled).containsExactlyInAnyOrder("o-1", "o-2", "o-3");
        } finally {
            consumer.close(Duration.ofSeconds(30));
            router.close();
            dlq.close();
            publisher.close();
        }
    }
}
