package io.eventcore.avro;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.InboundMessage;
import io.eventcore.codec.DecodeException;
import io.eventcore.codec.EventCodec;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.InMemoryDeadLetterSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Schema evolution through a real {@link EventRouter}: the consumer's route class is the reader schema. */
class AvroRouterTest {
    private final EventCodec producer = AvroEventCodec.builder().schemaStore(AvroSchemaStore.inMemory()).build();
    private final AvroEventCodec consumerCodec = AvroEventCodec.builder()
            .schemaStore(AvroSchemaStore.classpath("schemas/orders")).build();
    private final AtomicInteger decodes = new AtomicInteger();
    /** The consumer's codec, counting how often the router decodes. */
    private final EventCodec consumer = new EventCodec() {
        @Override
        public <T> T decode(byte[] bytes, Class<T> type, String eventType) {
            decodes.incrementAndGet();
            return consumerCodec.decode(bytes, type, eventType);
        }

        @Override
        public byte[] encode(Object payload) {
            return consumerCodec.encode(payload);
        }
    };
    private final InMemoryDeadLetterSink dlq = new InMemoryDeadLetterSink();

    private static InboundMessage inbound(byte[] value) {
        return InboundMessage.builder("orders").value(value).header("event_type", "OrderPlaced").offset(1).build();
    }

    @Test
    void compatibleV1Record_isHandledByAV2Route() {
        List<io.eventcore.avro.test.v2.OrderPlaced> handled = new ArrayList<>();
        try (EventRouter router = EventRouter.builder().codec(consumer).executor(Runnable::run).deadLetter(dlq)
                .route("OrderPlaced", io.eventcore.avro.test.v2.OrderPlaced.class, (e, ctx) -> handled.add(e.payload()))
                .build()) {
            DispatchResult result = router.dispatch(inbound(producer.encode(Orders.v1(1)))).toCompletableFuture().join();
            assertThat(result.outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        }
        assertThat(handled).singleElement().satisfies(order -> {
            assertThat(order.getOrderId()).isEqualTo("o-1");
            assertThat(order.getCurrency()).isEqualTo("EUR");
        });
        assertThat(dlq.deadLetters()).isEmpty();
    }

    @Test
    void incompatibleRecord_isDeadLetteredByteExact_decodedOnce_andNeverHandled() {
        io.eventcore.avro.test.v2.OrderPlaced byPhone = Orders.v2(2);
        byPhone.setChannel(io.eventcore.avro.test.v2.Channel.PHONE); // v1's Channel has no such symbol, no default
        byte[] bytes = producer.encode(byPhone);
        AtomicInteger handled = new AtomicInteger();
        try (EventRouter router = EventRouter.builder().codec(consumer).executor(Runnable::run).deadLetter(dlq)
                .retry(RetryPolicy.fixed(Duration.ofMillis(1)).maxAttempts(5))
                .route("OrderPlaced", io.eventcore.avro.test.v1.OrderPlaced.class, (e, ctx) -> handled.incrementAndGet())
                .build()) {
            DispatchResult result = router.dispatch(inbound(bytes)).toCompletableFuture().join();
            assertThat(result.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        }
        assertThat(decodes).hasValue(1);
        assertThat(handled).hasValue(0);
        DeadLetter letter = dlq.deadLetters().get(0);
        assertThat(dlq.deadLetters()).hasSize(1);
        assertThat(letter.value()).isEqualTo(bytes);
        assertThat(letter.exceptionClass()).isEqualTo(DecodeException.class.getName());
        assertThat(letter.eventType()).isEqualTo("OrderPlaced");
        assertThat(letter.message()).contains("PHONE");
    }

    @Test
    void recordWithAnUnknownWriterSchema_isDeadLetteredByteExact() {
        EventCodec strangers = AvroEventCodec.builder().schemaStore(AvroSchemaStore.inMemory()).build();
        byte[] bytes = strangers.encode(new org.apache.avro.generic.GenericRecordBuilder(
                new org.apache.avro.Schema.Parser().parse("{\"type\":\"record\",\"name\":\"OrderPlaced\","
                        + "\"namespace\":\"elsewhere\",\"fields\":[{\"name\":\"orderId\",\"type\":\"string\"}]}"))
                .set("orderId", "o-9").build());
        try (EventRouter router = EventRouter.builder().codec(consumer).executor(Runnable::run).deadLetter(dlq)
                .route("OrderPlaced", io.eventcore.avro.test.v2.OrderPlaced.class, (e, ctx) -> { })
                .build()) {
            DispatchResult result = router.dispatch(inbound(bytes)).toCompletableFuture().join();
            assertThat(result.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        }
        assertThat(dlq.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.value()).isEqualTo(bytes);
            assertThat(letter.message()).contains("unknown Avro schema");
        });
    }
}
