package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.EventContext;
import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.NonRetryableException;
import io.eventcore.codec.EventCodec;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventMetrics;
import io.eventcore.routing.EventRouter;
import io.eventcore.routing.UnknownTypePolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Routes whose handler gets the raw message, never decoded, and routing by the type header's bytes. */
class RawRoutesTest {
    /** Not JSON at all: a raw route must never try to decode it. */
    private static final String NOT_JSON = "\u0000binary\u00ff payload";

    private final ManualClock clock = new ManualClock();
    private final InMemoryDeadLetterSink dlq = new InMemoryDeadLetterSink();
    private final List<EventRouter> routers = new ArrayList<>();

    @AfterEach
    void close() {
        routers.forEach(EventRouter::close);
    }

    /** A codec that fails the test if anything is decoded. */
    private static final EventCodec NO_DECODING = new EventCodec() {
        @Override
        public <T> T decode(byte[] bytes, Class<T> type, String eventType) {
            throw new AssertionError("decoded " + eventType);
        }

        @Override
        public byte[] encode(Object payload) {
            throw new AssertionError("encoded");
        }
    };

    private EventRouter.Builder builder() {
        return EventRouter.builder().clock(clock).scheduler(clock).executor(Runnable::run).deadLetter(dlq)
                .codec(NO_DECODING);
    }

    private EventRouter build(EventRouter.Builder b) {
        EventRouter r = b.build();
        routers.add(r);
        return r;
    }

    private static InboundMessage archived(long offset) {
        return EventRouterTest.message("Archived", "order-" + offset, NOT_JSON, offset);
    }

    private static DispatchResult now(CompletionStage<DispatchResult> stage) {
        CompletableFuture<DispatchResult> f = stage.toCompletableFuture();
        assertThat(f).as("dispatch completed").isDone();
        return f.join();
    }

    @Test
    void rawRoute_getsTheUndecodedMessage_andSucceeds() {
        List<InboundMessage> seen = new ArrayList<>();
        List<EventContext> contexts = new ArrayList<>();
        EventRouter router = build(builder().routeRaw("Archived", (message, context) -> {
            seen.add(message);
            contexts.add(context);
        }));
        InboundMessage message = archived(3);
        DispatchResult r = now(router.dispatch(message));

        assertThat(r.outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(seen).containsExactly(message);
        assertThat(seen.get(0).value()).as("the very bytes, not a copy").isSameAs(message.value());
        EventContext context = contexts.get(0);
        assertThat(context.message()).isSameAs(message);
        assertThat(context.eventType()).isEqualTo("Archived");
        assertThat(context.attempt()).isEqualTo(1);
        assertThat(context.handlerName()).startsWith(RawRoutesTest.class.getName()).endsWith("#Archived");
        assertThat(router.eventTypes()).containsExactly("Archived");
    }

    @Test
    void rawRouteFailure_isRetried_thenDeadLetteredWithTheOriginalBytes() {
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder().routeRaw("Archived", (message, context) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("archive down");
        }, o -> o.name("archiver")).retry(RetryPolicy.fixed(Duration.ofSeconds(1)).maxAttempts(3)));
        InboundMessage message = archived(7);

        CompletableFuture<DispatchResult> f = router.dispatch(message).toCompletableFuture();
        assertThat(calls).hasValue(1);
        assertThat(f).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        assertThat(calls).hasValue(2);
        clock.advance(Duration.ofSeconds(1));
        DispatchResult r = f.join();

        assertThat(calls).hasValue(3);
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(r.attempts()).isEqualTo(3);
        DeadLetter d = dlq.deadLetters().get(0);
        assertThat(d.value()).isEqualTo(message.value());
        assertThat(d.valueAsString()).isEqualTo(NOT_JSON);
        assertThat(new String(d.key(), StandardCharsets.UTF_8)).isEqualTo("order-7");
        assertThat(d.headers()).containsAll(message.headers());
        assertThat(d.eventId()).isEqualTo("id-7");
        assertThat(d.eventType()).isEqualTo("Archived");
        assertThat(d.handlerName()).isEqualTo("archiver");
        assertThat(d.attempts()).isEqualTo(3);
        assertThat(d.exceptionClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(d.firstFailureAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(d.lastFailureAt()).isEqualTo(Instant.parse("2026-01-01T00:00:02Z"));
    }

    @Test
    void rawRoute_succeedsOnALaterAttempt_withTheAttemptInItsContext() {
        List<Integer> attempts = new ArrayList<>();
        EventRouter router = build(builder().routeRaw("Archived", (message, context) -> {
            attempts.add(context.attempt());
            if (context.attempt() < 2) {
                throw new IllegalStateException("once");
            }
        }).retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(3)));
        DispatchResult r = now(router.dispatch(archived(1)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(r.attempts()).isEqualTo(2);
        assertThat(attempts).containsExactly(1, 2);
        assertThat(dlq.deadLetters()).isEmpty();
    }

    @Test
    void rawRoute_nonRetryableFailure_isDeadLetteredAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder().routeRaw("Archived", (message, context) -> {
            calls.incrementAndGet();
            throw new NonRetryableException("malformed record");
        }).retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(5)));
        DispatchResult r = now(router.dispatch(archived(2)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(calls).hasValue(1);
        assertThat(dlq.deadLetters().get(0).valueAsString()).isEqualTo(NOT_JSON);
    }

    @Test
    void rawRoute_inRedeliverMode_returnsRetryLater() {
        EventRouter router = build(builder().routeRaw("Archived", (message, context) -> {
            throw new IllegalStateException("later");
        }).retry(RetryPolicy.fixed(Duration.ofSeconds(30)).maxAttempts(3).mode(RetryMode.REDELIVER)));
        DispatchResult r = now(router.dispatch(archived(1)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.RETRY_LATER);
        assertThat(r.delay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(router.redeliveredTypes()).containsExactly("Archived");
    }

    @Test
    void rawRoute_jvmError_isFatal_neitherRetriedNorDeadLettered() {
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder().routeRaw("Archived", (message, context) -> {
            calls.incrementAndGet();
            throw new StackOverflowError("deep");
        }).retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(5)));
        DispatchResult r = now(router.dispatch(archived(1)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.FAILED);
        assertThat(r.fatal()).isTrue();
        assertThat(calls).hasValue(1);
        assertThat(dlq.deadLetters()).isEmpty();
    }

    @Test
    void middleware_runsForTypedRoutes_butNotForRawOnes() {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        EventRouter router = build(EventRouter.builder().clock(clock).scheduler(clock).deadLetter(dlq)
                .routeRaw("Archived", (message, context) -> seen.add("raw handler"))
                .route(EventRouterTest.OrderCreated.class, (e, c) -> seen.add("typed handler"))
                .middleware((event, context, chain) -> {
                    seen.add("middleware " + event.type());
                    return chain.proceed(event, context);
                }));
        assertThat(now(router.dispatch(archived(1))).outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(now(router.dispatch(EventRouterTest.created(2))).outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(seen).containsExactly("raw handler", "middleware OrderCreated", "typed handler");
    }

    @Test
    void rawRoute_recordsMetricsUnderItsType() {
        List<String> recorded = Collections.synchronizedList(new ArrayList<>());
        EventMetrics metrics = new EventMetrics() {
            @Override
            public void dispatched(String eventType, DispatchOutcome outcome, Duration elapsed) {
                recorded.add("dispatched " + eventType + " " + outcome);
            }

            @Override
            public void handlerAttempt(String eventType, String handlerName, Duration elapsed, boolean success) {
                recorded.add("attempt " + eventType + " " + handlerName + " " + success);
            }
        };
        EventRouter router = build(builder().metrics(metrics).routeRaw("Archived", (m, c) -> { }, o -> o.name("a")));
        now(router.dispatch(archived(1)));
        assertThat(recorded).containsExactly("attempt Archived a true", "dispatched Archived SUCCEEDED");
    }

    @Test
    void rawAndTypedRoute_forOneType_areRejectedAtBuild() {
        EventRouter.Builder b = EventRouter.builder().route(EventRouterTest.OrderCreated.class, (e, c) -> { })
                .routeRaw("OrderCreated", (m, c) -> { });
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessage(
                "duplicate route for event type 'OrderCreated': " + EventRouterTest.OrderCreated.class.getName()
                        + " and a raw handler");
        assertThatThrownBy(() -> EventRouter.builder().routeRaw(" ", (m, c) -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventRouter.builder().routeRaw("A", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("handler");
    }

    @Test
    void routingByKey_isAResolverThatMapsTheKeyToARawRoute() {
        List<String> seen = new ArrayList<>();
        EventRouter router = build(builder()
                .typeResolver(m -> Optional.of(m.keyAsString().startsWith("vip-") ? "vip" : "standard"))
                .routeRaw("vip", (m, c) -> seen.add("vip " + m.keyAsString()))
                .routeRaw("standard", (m, c) -> seen.add("standard " + m.keyAsString())));
        now(router.dispatch(EventRouterTest.message("Anything", "vip-1", NOT_JSON, 1)));
        now(router.dispatch(EventRouterTest.message("Anything", "order-2", NOT_JSON, 2)));
        assertThat(seen).containsExactly("vip vip-1", "standard order-2");
    }

    // --- the standard resolver's byte match must answer as the resolver does ------------------

    @Test
    void typeHeader_lastOneWins_asTheResolverReadsIt() {
        List<String> seen = new ArrayList<>();
        EventRouter router = build(builder().routeRaw("A", (m, c) -> seen.add("A")).routeRaw("B", (m, c) -> seen.add("B")));
        InboundMessage twice = InboundMessage.builder("t").offset(1).value(NOT_JSON)
                .header(EventHeaders.EVENT_TYPE, "A").header(EventHeaders.EVENT_TYPE, "B").build();
        now(router.dispatch(twice));
        assertThat(seen).containsExactly("B");
    }

    @Test
    void blankOrNullTypeHeader_fallsBackToTheJsonField() {
        List<String> seen = new ArrayList<>();
        EventRouter router = build(builder().routeRaw("A", (m, c) -> seen.add("A " + m.offset())));
        String json = "{\"event_type\":\"A\"}";
        now(router.dispatch(InboundMessage.builder("t").offset(1).value(json).header(EventHeaders.EVENT_TYPE, " ")
                .build()));
        now(router.dispatch(InboundMessage.builder("t").offset(2).value(json)
                .header(MessageHeader.of(EventHeaders.EVENT_TYPE, (byte[]) null)).build()));
        now(router.dispatch(InboundMessage.builder("t").offset(3).value(json).build()));
        assertThat(seen).containsExactly("A 1", "A 2", "A 3");
    }

    @Test
    void unroutedTypeHeader_followsTheUnknownTypePolicy() {
        EventRouter router = build(builder().routeRaw("A", (m, c) -> { }).onUnknownType(UnknownTypePolicy.SKIP));
        InboundMessage near = InboundMessage.builder("t").offset(1).value(NOT_JSON)
                .header(EventHeaders.EVENT_TYPE, "AA").build();
        assertThat(now(router.dispatch(near)).outcome()).isEqualTo(DispatchOutcome.SKIPPED);
        InboundMessage padded = InboundMessage.builder("t").offset(2).value(NOT_JSON)
                .header(EventHeaders.EVENT_TYPE, " A").build();
        assertThat(now(router.dispatch(padded)).outcome()).as("the resolver does not trim a type")
                .isEqualTo(DispatchOutcome.SKIPPED);
    }

    @Test
    void manyRoutes_eachFindItsOwnType() {
        List<String> seen = new ArrayList<>();
        EventRouter.Builder b = builder();
        for (int i = 0; i < 40; i++) {
            String type = "Type" + i;
            b.routeRaw(type, (m, c) -> seen.add(type));
        }
        EventRouter router = build(b);
        for (int i = 39; i >= 0; i--) {
            now(router.dispatch(EventRouterTest.message("Type" + i, "k", NOT_JSON, i)));
        }
        for (int i = 0; i < 40; i++) {
            assertThat(seen.get(39 - i)).isEqualTo("Type" + i);
        }
    }
}
