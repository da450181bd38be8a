package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.deadletter.DeadLetter;
import io.eventcore.Event;
import io.eventcore.codec.EventCodec;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.EventPublisher;
import io.eventcore.routing.EventRouter;
import io.eventcore.EventType;
import io.eventcore.NonRetryableException;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.retry.RetryPolicy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a new user does after reading the README: route three order events through the test kit. */
class ReadmeQuickstartTest {
    @EventType("OrderCreated")
    record OrderCreated(String orderId) {
    }

    @EventType("OrderShipped")
    record OrderShipped(String orderId) {
    }

    @EventType("OrderCancelled")
    record OrderCancelled(String orderId, String reason) {
    }

    @Test
    void transientFailureIsRetried_permanentFailureIsDeadLettered() {
        InMemoryBroker broker = new InMemoryBroker();
        InMemoryDeadLetterSink dlq = new InMemoryDeadLetterSink();
        EventCollector<OrderCreated> created = new EventCollector<>();
        EventCollector<OrderShipped> shipped = new EventCollector<>();
        AtomicInteger shipAttempts = new AtomicInteger();

        try (EventRouter router = EventRouter.builder()
                .route(OrderCreated.class, created)
                .route(OrderShipped.class, (event, ctx) -> {
                    if (shipAttempts.incrementAndGet() == 1) {
                        throw new IllegalStateException("carrier API timed out");   // transient
                    }
                    shipped.handle(event, ctx);
                })
                .route(OrderCancelled.class, (event, ctx) -> {
                    throw new NonRetryableException("refund rejected: " + event.payload().reason());
                })
                .retry(RetryPolicy.fixed(Duration.ofMillis(10)).maxAttempts(3))
                .deadLetter(dlq)
                .build();
             EventConsumer consumer = broker.consumer("order-service", "order-events", router).build();
             EventPublisher publisher = broker.publisher()) {
            consumer.start();
            EventCodec codec = EventCodec.json();
            publisher.send(OutboundMessage.of("order-events", Event.of("o-1", new OrderCreated("o-1")), codec));
            publisher.send(OutboundMessage.of("order-events", Event.of("o-1", new OrderShipped("o-1")), codec));
            publisher.send(OutboundMessage.of("order-events", Event.of("o-2", new OrderCancelled("o-2", "fraud")), codec));

            created.awaitCount(1, Duration.ofSeconds(10));
            shipped.awaitCount(1, Duration.ofSeconds(10));
            DeadLetter letter = dlq.awaitCount(1, Duration.ofSeconds(10)).get(0);

            assertThat(shipAttempts).hasValue(2);
            assertThat(letter.eventType()).isEqualTo("OrderCancelled");
            assertThat(letter.attempts()).isEqualTo(1);
            assertThat(letter.message()).isEqualTo("refund rejected: fraud");
            assertThat(letter.valueAsString()).isEqualTo("{\"orderId\":\"o-2\",\"reason\":\"fraud\"}");
            assertThat(letter.consumerGroup()).isEqualTo("order-service");
        }
    }
}
