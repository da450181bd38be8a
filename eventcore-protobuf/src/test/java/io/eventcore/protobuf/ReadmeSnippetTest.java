package io.eventcore.protobuf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.protobuf.test.v1.OrderCancelled;
import io.eventcore.protobuf.test.v1.OrderEnvelope;
import io.eventcore.protobuf.test.v1.OrderPlaced;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.InMemoryDeadLetterSink;
import io.eventcore.transport.OutboundMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The snippet of {@code docs/payload-formats-protobuf.md}, compiled and run. */
class ReadmeSnippetTest {
    private final List<Object> charged = new CopyOnWriteArrayList<>();

    @Test
    void snippet_publishesAndRoutesAnEnvelope() {
        DeadLetterSink deadLetterSink = new InMemoryDeadLetterSink();
        OrderPlaced order = Orders.placed(1);

        // --- snippet start ---
        ProtobufEventCodec codec = ProtobufEventCodec.builder()
                .envelope(OrderEnvelope.class)            // omit for one message class per event type
                .build();

        EventRouter router = EventRouter.builder()
                .codec(codec)
                .typeResolver(codec.typeResolver())       // event_type header, else the oneof case
                .route(OrderPlaced.class, (event, ctx) -> charged.add(event.payload()))
                .route(OrderCancelled.class, (event, ctx) -> charged.remove(event.payload()))
                .deadLetter(deadLetterSink)
                .build();

        // Publishing with the same codec: KafkaEventPublisher.builder()...codec(codec).build() does this
        // for every event; the value is an OrderEnvelope with order_placed set.
        OutboundMessage message = OutboundMessage.of("orders", Event.of(order.getOrderId(), order), codec);
        // --- snippet end ---

        assertThat(message.header("event_type")).isEqualTo("OrderPlaced");
        assertThat(message.header("content_type"))
                .isEqualTo("application/x-protobuf;messageType=eventcore.test.v1.OrderEnvelope");
        InboundMessage.Builder inbound = InboundMessage.builder("orders").value(message.value());
        for (MessageHeader h : message.headers()) {
            inbound.header(h);
        }
        try (router) {
            assertThat(router.dispatch(inbound.build()).toCompletableFuture().join().outcome())
                    .isEqualTo(DispatchOutcome.SUCCEEDED);
        }
        assertThat(charged).containsExactly(order);
    }
}
