package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.InboundMessage;
import io.eventcore.codec.EventCodec;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.OutboundMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The codec SPI sees the topic and the headers on both sides, as a schema-registry codec needs. */
class CodecContextTest {
    record OrderCreated(String orderId, int amount) {
    }

    /**
     * A registry-style codec: on encode it registers the payload under "topic-value" and writes the
     * schema id in a header; on decode it refuses a message without that header or for another
     * subject. It never implements the payload-only methods.
     */
    static final class SubjectCodec implements EventCodec {
        final EventCodec json = EventCodec.json();
        final List<String> decodedTopics = new ArrayList<>();

        @Override
        public <T> T decode(byte[] bytes, Class<T> type, String eventType) {
            throw new AssertionError("eventcore must call the message-aware decode");
        }

        @Override
        public byte[] encode(Object payload) {
            throw new AssertionError("eventcore must call the topic-aware encode");
        }

        @Override
        public byte[] encode(Object payload, String topic, Map<String, String> headers) {
            headers.put("schema_subject", topic + "-value");
            return json.encode(payload);
        }

        @Override
        public <T> T decodeMessage(InboundMessage message, Class<T> type, String eventType) {
            String subject = message.header("schema_subject");
            if (!(message.topic() + "-value").equals(subject)) {
                throw new io.eventcore.codec.DecodeException("subject " + subject + " does not belong to topic "
                        + message.topic(), null, message.value(), eventType);
            }
            synchronized (decodedTopics) {
                decodedTopics.add(message.topic());
            }
            return json.decode(message.value(), type, eventType);
        }
    }

    @Test
    void publisherEncode_seesTheTopic_andItsHeaderIsPublished_thenTheRouterDecodeSeesTopicAndHeaders() {
        SubjectCodec codec = new SubjectCodec();
        Event<OrderCreated> event = Event.of("o-1", new OrderCreated("o-1", 5)).withHeaders(Map.of("traceparent", "t"));
        OutboundMessage out = OutboundMessage.of("orders", event, codec);
        assertThat(out.header("schema_subject")).isEqualTo("orders-value");
        assertThat(out.header("traceparent")).isEqualTo("t");
        assertThat(event.headers()).doesNotContainKey("schema_subject");

        List<OrderCreated> handled = new ArrayList<>();
        InMemoryDeadLetterSink dlq = new InMemoryDeadLetterSink();
        try (EventRouter router = EventRouter.builder().codec(codec).executor(Runnable::run).deadLetter(dlq)
                .route(OrderCreated.class, (e, ctx) -> handled.add(e.payload())).build()) {
            DispatchResult ok = router.dispatch(inbound("orders", out)).toCompletableFuture().join();
            assertThat(ok.outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
            assertThat(handled).containsExactly(new OrderCreated("o-1", 5));
            assertThat(codec.decodedTopics).containsExactly("orders");

            // The same bytes read from another topic fail the codec's check: dead-lettered byte-exact.
            DispatchResult wrong = router.dispatch(inbound("payments", out)).toCompletableFuture().join();
            assertThat(wrong.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
            DeadLetter letter = dlq.deadLetters().get(0);
            assertThat(letter.value()).isEqualTo(out.value());
            assertThat(letter.exceptionClass()).isEqualTo(io.eventcore.codec.DecodeException.class.getName());
        }
    }

    private static InboundMessage inbound(String topic, OutboundMessage out) {
        InboundMessage.Builder b = InboundMessage.builder(topic).key(out.key()).value(out.value()).offset(1);
        out.headers().forEach(h -> b.header(h.key(), h.valueAsString()));
        return b.build();
    }

    @Test
    void payloadOnlyCodecs_keepWorking_throughTheDefaults() {
        EventCodec plain = new EventCodec() {
            @Override
            public <T> T decode(byte[] bytes, Class<T> type, String eventType) {
                return EventCodec.json().decode(bytes, type, eventType);
            }

            @Override
            public byte[] encode(Object payload) {
                return EventCodec.json().encode(payload);
            }
        };
        OutboundMessage out = OutboundMessage.of("orders", Event.of("o-2", new OrderCreated("o-2", 9)), plain);
        assertThat(new String(out.value(), StandardCharsets.UTF_8)).isEqualTo("{\"orderId\":\"o-2\",\"amount\":9}");
        assertThat(plain.decodeMessage(inbound("orders", out), OrderCreated.class, "OrderCreated"))
                .isEqualTo(new OrderCreated("o-2", 9));
    }
}
