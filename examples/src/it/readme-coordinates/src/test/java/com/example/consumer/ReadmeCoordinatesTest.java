package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eventcore.Event;
import io.eventcore.EventType;
import io.eventcore.codec.EventCodec;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.EventCollector;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.InMemoryDeadLetterSink;
import io.eventcore.test.ManualClock;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.OutboundMessage;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A user's tests, compiled against the artifacts as installed: every eventcore module the README's
 * coordinates name is used, and the test kit's fixtures run for real (the in-memory broker, the in-JVM
 * KRaft broker, an H2 database).
 */
class ReadmeCoordinatesTest {
    @EventType("OrderCreated")
    public record OrderCreated(String orderId, BigDecimal total) {
    }

    @Test
    void inMemoryBroker_deliversToTheRouter() {
        ManualClock clock = new ManualClock();
        InMemoryDeadLetterSink dlq = new InMemoryDeadLetterSink();
        EventCollector<OrderCreated> created = new EventCollector<>();
        EventRouter router = EventRouter.builder()
                .route(OrderCreated.class, created)
                .retry(RetryPolicy.fixed(Duration.ofSeconds(1)).maxAttempts(3))
                .deadLetter(dlq)
                .clock(clock).scheduler(clock)
                .build();
        InMemoryBroker broker = new InMemoryBroker();
        EventConsumer consumer = broker.consumer("orders-service", "order-events", router).build();
        consumer.start();
        try {
            broker.publisher().send(OutboundMessage.of("order-events",
                    Event.of("order-1", new OrderCreated("order-1", BigDecimal.TEN)), EventCodec.json()));

            List<Event<OrderCreated>> events = created.awaitCount(1, Duration.ofSeconds(10));
            assertEquals("order-1", events.get(0).payload().orderId());
        } finally {
            consumer.close(Duration.ofSeconds(5));
            router.close();
        }
    }

    @Test
    void outboxAndPublisher_reachTheRouterThroughEmbeddedKafka() throws Exception {
        String bootstrap = EmbeddedKafka.bootstrapServers();
        EmbeddedKafka.createTopics(1, "order-events");
        DataSource dataSource = TestDatabase.h2("readme_coordinates").dataSource();
        EventCollector<OrderCreated> created = new EventCollector<>();
        EventRouter router = EventRouter.builder().route(OrderCreated.class, created).build();
        KafkaEventConsumer consumer = KafkaEventConsumer.builder()
                .bootstrapServers(bootstrap)
                .groupId("readme-coordinates")
                .topics("order-events")
                .router(router)
                .build();
        KafkaEventPublisher publisher = KafkaEventPublisher.builder()
                .bootstrapServers(bootstrap)
                .topic("order-events")
                .build();
        JdbcOutbox outbox = JdbcOutbox.builder(dataSource).build();
        outbox.createSchema();
        OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(publisher).build();
        consumer.start();
        relay.start();
        try {
            publisher.publish(Event.of("order-1", new OrderCreated("order-1", BigDecimal.ONE)))
                    .toCompletableFuture().get();
            outbox.inTransaction(connection -> {
                outbox.append(connection, OutboxEvent.of("Order", "order-2", new OrderCreated("order-2", BigDecimal.TEN)));
                return null;
            });

            List<Event<OrderCreated>> events = created.awaitCount(2, Duration.ofSeconds(60));
            assertEquals(List.of("order-1", "order-2"),
                    events.stream().map(e -> e.payload().orderId()).sorted().toList());
        } finally {
            relay.close(Duration.ofSeconds(10));
            outbox.close();
            consumer.close(Duration.ofSeconds(10));
            router.close();
            publisher.close();
            EmbeddedKafka.stop();
        }
    }
}
