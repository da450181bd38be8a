package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.codec.EventCodec;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.test.docs.SealedOrders;
import io.eventcore.test.docs.SealedOrders.OrderCancelled;
import io.eventcore.test.docs.SealedOrders.OrderPlaced;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The JSON, validation and sealed-routing snippet of docs/payload-formats.md ({@link SealedOrders}), run. */
class ReadmePayloadFormatsTest {

    @Test
    void strictJson_validation_andExhaustiveRouting_wiredTogether() {
        InMemoryBroker broker = new InMemoryBroker();
        InMemoryDeadLetterSink deadLetterSink = new InMemoryDeadLetterSink();
        EventCollector<OrderPlaced> placed = new EventCollector<>();
        EventCollector<OrderCancelled> cancelled = new EventCollector<>();
        EventCodec codec = SealedOrders.CODEC;
        EventRouter router = SealedOrders.router(placed, cancelled, deadLetterSink);
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
