package io.eventcore.avro.docs;

// snippet:avro
import io.eventcore.Event;
import io.eventcore.avro.AvroEventCodec;
import io.eventcore.avro.AvroSchemaStore;
import io.eventcore.avro.test.v2.OrderPlaced;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.OutboundMessage;
import java.util.List;

public class AvroOrders {
    public record Wired(EventRouter router, OutboundMessage message) {
    }

    public static Wired wire(List<OrderPlaced> orders, DeadLetterSink deadLetterSink, OrderPlaced placed) {
        // Every schema version producers write with, shipped as .avsc files (here in src/test/avro).
        AvroSchemaStore schemas = AvroSchemaStore.classpath("schemas/orders");
        AvroEventCodec codec = AvroEventCodec.builder().schemaStore(schemas).build();

        EventRouter router = EventRouter.builder()
                .codec(codec)                               // decodes every route with Avro
                .route("OrderPlaced", OrderPlaced.class,    // reader schema = the generated class
                        (event, ctx) -> orders.add(event.payload()))
                .deadLetter(deadLetterSink)                 // incompatible records land here, byte-exact
                .build();

        OutboundMessage message = OutboundMessage.of("orders", Event.of(placed.getOrderId(), placed), codec);
        // message.value(): C3 01, 8-byte schema fingerprint, Avro binary; content_type header set
        return new Wired(router, message);
    }
}
// end:avro
