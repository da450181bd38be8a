package io.eventcore.protobuf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.protobuf.test.v1.OrderEnvelope;
import io.eventcore.protobuf.test.v1.OrderPlaced;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.InMemoryDeadLetterSink;
import io.eventcore.transport.OutboundMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The snippet of {@code docs/payload-formats-protobuf.md} ({@code docs/ProtobufOrders}), run. */
class ReadmeSnippetTest {
    private final List<Object> charged = new CopyOnWriteArrayList<>();

    @Test
    void snippet_publishesAndRoutesAnEnvelope() {
        DeadLetterSink deadLetterSink = new InMemoryDeadLetterSink();
        OrderPlaced order = Orders.placed(1);

        io.eventcore.protobuf.docs.ProtobufOrders.Wired wired =
                io.eventcore.protobuf.docs.ProtobufOrders.wire(charged, deadLetterSink, order);
        EventRouter router = wired.router();
        OutboundMessage message = wired.message();

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
