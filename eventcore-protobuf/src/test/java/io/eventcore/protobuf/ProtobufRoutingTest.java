package io.eventcore.protobuf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.InboundMessage;
import io.eventcore.codec.DecodeException;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.protobuf.test.v1.OrderCancelled;
import io.eventcore.protobuf.test.v1.OrderEnvelope;
import io.eventcore.protobuf.test.v1.OrderPlaced;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.InMemoryDeadLetterSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The codec and its type resolver inside a real (in-memory) {@link EventRouter}. */
class ProtobufRoutingTest {
    private final InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
    private final List<Object> handled = new CopyOnWriteArrayList<>();
    private final AtomicInteger placedCalls = new AtomicInteger();
    private EventRouter router;

    @AfterEach
    void close() {
        router.close();
    }

    private EventRouter router(ProtobufEventCodec codec) {
        router = EventRouter.builder().codec(codec).typeResolver(codec.typeResolver())
                .route("OrderPlaced", OrderPlaced.class, (event, ctx) -> {
                    placedCalls.incrementAndGet();
                    handled.add(event.payload());
                })
                .route(OrderCancelled.class, (event, ctx) -> handled.add(event.payload()))
                .executor(Runnable::run).deadLetter(deadLetters).build();
        return router;
    }

    private static DispatchResult dispatch(EventRouter router, InboundMessage message) {
        return router.dispatch(message).toCompletableFuture().join();
    }

    @Test
    void undecodableRecord_isDeadLetteredOnce_byteExact_andNeverReachesTheHandler() {
        EventRouter r = router(ProtobufEventCodec.builder().build());
        byte[] garbage = {0x0a, 0x05, 'o', '-'}; // a length running past the end
        DispatchResult result = dispatch(r, InboundMessage.builder("orders").value(garbage)
                .header("event_type", "OrderPlaced").build());

        assertThat(result.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(result.failure()).containsInstanceOf(DecodeException.class);
        assertThat(deadLetters.deadLetters()).hasSize(1);
        DeadLetter letter = deadLetters.deadLetters().get(0);
        assertThat(letter.value()).isEqualTo(garbage);
        assertThat(letter.exceptionClass()).isEqualTo(DecodeException.class.getName());
        assertThat(letter.attempts()).isLessThanOrEqualTo(1);
        assertThat(placedCalls).hasValue(0);
    }

    @Test
    void wireTypeMismatch_isDeadLettered_byteExact() {
        EventRouter r = router(ProtobufEventCodec.builder().build());
        byte[] v2Order = io.eventcore.protobuf.test.v2.OrderPlaced.newBuilder().setOrderId("o-1").setPriority(5).build()
                .toByteArray();
        DispatchResult result = dispatch(r, InboundMessage.builder("orders").value(v2Order)
                .header("event_type", "OrderPlaced").build());

        assertThat(result.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(deadLetters.deadLetters()).singleElement().extracting(DeadLetter::value).isEqualTo(v2Order);
        assertThat(placedCalls).hasValue(0);
    }

    @Test
    void oneMessageStyle_isRoutedByTheHeader() {
        ProtobufEventCodec codec = ProtobufEventCodec.builder().build();
        EventRouter r = router(codec);
        DispatchResult result = dispatch(r, InboundMessage.builder("orders").value(codec.encode(Orders.placed(1)))
                .header("event_type", "OrderPlaced").build());

        assertThat(result.outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(handled).containsExactly(Orders.placed(1));
    }

    @Test
    void envelopeWithoutHeader_isRoutedByItsOneofCase() {
        ProtobufEventCodec codec = ProtobufEventCodec.builder().envelope(OrderEnvelope.class).build();
        EventRouter r = router(codec);
        DispatchResult cancelled = dispatch(r, InboundMessage.builder("orders").value(codec.encode(Orders.cancelled(2)))
                .build());
        DispatchResult placed = dispatch(r, InboundMessage.builder("orders").value(codec.encode(Orders.placed(3)))
                .build());

        assertThat(cancelled.outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(placed.outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(handled).containsExactly(Orders.cancelled(2), Orders.placed(3));
        assertThat(deadLetters.deadLetters()).isEmpty();
    }

    @Test
    void envelopeWithAHeaderNamingAnotherCase_isDeadLettered_namingWhatWasFound() {
        ProtobufEventCodec codec = ProtobufEventCodec.builder().envelope(OrderEnvelope.class).build();
        EventRouter r = router(codec);
        byte[] bytes = codec.encode(Orders.cancelled(2));
        DispatchResult result = dispatch(r, InboundMessage.builder("orders").value(bytes)
                .header("event_type", "OrderPlaced").build());

        assertThat(result.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(deadLetters.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.value()).isEqualTo(bytes);
            assertThat(letter.message()).contains("holds order_cancelled");
        });
        assertThat(handled).isEmpty();
    }

    @Test
    void garbageWithoutHeader_resolvesToNoType_andIsDeadLetteredAsUnknown() {
        ProtobufEventCodec codec = ProtobufEventCodec.builder().envelope(OrderEnvelope.class).build();
        EventRouter r = router(codec);
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
        DispatchResult result = dispatch(r, InboundMessage.builder("orders").value(garbage).build());

        assertThat(result.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(deadLetters.deadLetters()).singleElement().extracting(DeadLetter::value).isEqualTo(garbage);
        assertThat(handled).isEmpty();
    }
}
