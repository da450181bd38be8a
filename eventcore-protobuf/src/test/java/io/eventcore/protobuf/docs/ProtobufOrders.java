package io.eventcore.protobuf.docs;

// snippet:protobuf
import io.eventcore.Event;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.protobuf.ProtobufEventCodec;
import io.eventcore.protobuf.test.v1.OrderCancelled;
import io.eventcore.protobuf.test.v1.OrderEnvelope;
import io.eventcore.protobuf.test.v1.OrderPlaced;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.OutboundMessage;
import java.util.List;

public class ProtobufOrders {
    public record Wired(EventRouter router, OutboundMessage message) {
    }

    public static Wired wire(List<Object> charged, DeadLetterSink deadLetterSink, OrderPlaced order) {
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
        return new Wired(router, message);
    }
}
// end:protobuf
