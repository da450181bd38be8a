package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.EventType;
import io.eventcore.codec.EventCodec;
import io.eventcore.codec.JsonEventCodec;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.validation.BeanValidation;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's "Payload formats" snippets for JSON, validation and sealed routing, run as written. */
class ReadmePayloadFormatsTest {
    // --- README snippet starts
    sealed interface OrderEvent permits OrderPlaced, OrderCancelled {
    }

    @EventType("OrderPlaced")
    record OrderPlaced(@NotBlank String orderId, @Positive long amountCents) implements OrderEvent {
    }

    @EventType("OrderCancelled")
    record OrderCancelled(@NotBlank String orderId, String reason) implements OrderEvent {
    }
    // --- README snippet ends

    @Test
    void strictJson_validation_andExhaustiveRouting_wiredTogether() {
        InMemoryBroker broker = new InMemoryBroker();
        InMemoryDeadLetterSink deadLetterSink = new InMemoryDeadLetterSink();
        EventCollector<OrderPlaced> placed = new EventCollector<>();
        EventCollector<OrderCancelled> cancelled = new EventCollector<>();
        // --- README snippet starts
        EventCodec codec = JsonEventCodec.builder()
            .strict(true)                       // "123" is not a number, every record component required
            .failOnUnknownProperties(false)     // the default: producers may add fields
            .build();

        EventRouter router = EventRouter.builder()
            .codec(codec)
            .middleware(BeanValidation.middleware())   // jakarta.validation + Hibernate Validator on the classpath
            .routesFor(OrderEvent.class)               // build() fails if a permitted subtype has no route
            .route(OrderPlaced.class, placed)
            .route(OrderCancelled.class, cancelled)
            .deadLetter(deadLetterSink)
            .build();
        // --- README snippet ends
        try (router; EventConsumer consumer = broker.consumer("orders", "order-events", router).build();
             EventPublisher publisher = broker.publisher()) {
            consumer.start();
            publisher.send(OutboundMessage.of("order-events", Event.of("o-1", new OrderPlaced("o-1", 500)), codec));
            publisher.send(OutboundMessage.of("order-events", Event.of("o-2", new OrderPlaced("o-2", -1)), codec));
            publisher.send(OutboundMessage.of("order-events", Event.of("o-3", new OrderCancelled("o-3", "fraud")), codec));
            placed.awaitCount(1, Duration.ofSeconds(5));
            cancelled.awaitCount(1, Duration.ofSeconds(5));
            assertThat(deadLetterSink.awaitCount(1, Duration.ofSeconds(5)).get(0).violations())
                    .isEqualTo("[{\"path\":\"amountCents\",\"message\":\"must be greater than 0\"}]");
            assertThat(placed.payloads()).containsExactly(new OrderPlaced("o-1", 500));
        }
    }
}
