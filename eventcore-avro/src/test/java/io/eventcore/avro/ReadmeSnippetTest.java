package io.eventcore.avro;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.InboundMessage;
import io.eventcore.avro.test.v2.OrderPlaced;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.InMemoryDeadLetterSink;
import io.eventcore.transport.OutboundMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The snippet of docs/payload-formats-avro.md, compiled and run. Keep the two in step. */
class ReadmeSnippetTest {
    @Test
    void classpathSchemaStore_codec_router_andPublishing() {
        List<OrderPlaced> orders = new ArrayList<>();
        InMemoryDeadLetterSink deadLetterSink = new InMemoryDeadLetterSink();

        OrderPlaced placed = Orders.v2(1);
        io.eventcore.avro.docs.AvroOrders.Wired wired =
                io.eventcore.avro.docs.AvroOrders.wire(orders, deadLetterSink, placed);
        EventRouter router = wired.router();
        OutboundMessage message = wired.message();

        try (router) {
            InboundMessage.Builder in = InboundMessage.builder("orders").key(message.key()).value(message.value()).offset(1);
            message.headers().forEach(h -> in.header(h.key(), h.valueAsString()));
            assertThat(router.dispatch(in.build()).toCompletableFuture().join().outcome())
                    .isEqualTo(DispatchOutcome.SUCCEEDED);
        }
        assertThat(message.header("content_type")).isEqualTo("application/vnd.apache.avro+binary");
        assertThat(message.header("event_type")).isEqualTo("OrderPlaced");
        assertThat(orders).containsExactly(placed);
        assertThat(deadLetterSink.deadLetters()).isEmpty();
    }
}
