package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.EventHeaders;
import io.eventcore.routing.EventRouter;
import io.eventcore.EventType;
import io.eventcore.HandlerTimeoutException;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.NonRetryableException;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.UnknownEventTypeException;
import io.eventcore.routing.UnknownTypePolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventRouterTest {
    @EventType("OrderCreated")
    record OrderCreated(String orderId, int amount) {
    }

    record OrderShipped(String orderId) {
    }

    static class TransientException extends RuntimeException {
        TransientException(String m) {
            super(m);
        }
    }

    private final ManualClock clock = new ManualClock();
    private final InMemoryDeadLetterSink dlq = new InMemoryDeadLetterSink();
    private final List<EventRouter> routers = new ArrayList<>();

    @AfterEach
    void close() {
        routers.forEach(EventRouter::close);
    }

    private EventRouter.Builder builder() {
        return EventRouter.builder().clock(clock).scheduler(clock).executor(Runnable::run).deadLetter(dlq);
    }

    private EventRouter build(EventRouter.Builder b) {
        EventRouter r = b.build();
        routers.add(r);
        return r;
    }

    static InboundMessage message(String type, String key, String json, long offset) {
        InboundMessage.Builder b = InboundMessage.builder("orders").key(key).value(json).partition(2).offset(offset)
                .timestamp(Instant.parse("2026-03-01T10:00:00Z")).consumerGroup("billing")
                .header(EventHeaders.EVENT_ID, "id-" + offset).header("custom", "c1");
        if (type != null) {
            b.header(EventHeaders.EVENT_TYPE, type);
        }
        return b.build();
    }

    static InboundMessage created(long offset) {
        return message("OrderCreated", "order-" + offset, "{\"orderId\":\"o-" + offset + "\",\"amount\":5}", offset);
    }

    private static DispatchResult now(CompletionStage<DispatchResult> stage) {
        CompletableFuture<DispatchResult> f = stage.toCompletableFuture();
        assertThat(f).as("dispatch completed").isDone();
        return f.join();
    }

    // --- builder rules -------------------------------------------------------------------------

    @Test
    void build_withoutRoutes_isRejected() {
        assertThatThrownBy(() -> EventRouter.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("routes must not be empty: add at least one route()");
    }

    @Test
    void duplicateRoute_isRejectedAtBuild() {
        EventRouter.Builder b = EventRouter.builder()
                .route(OrderCreated.class, (e, c) -> { })
                .route("OrderCreated", OrderShipped.class, (e, c) -> { });
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("duplicate route for event type 'OrderCreated'");
    }

    @Test
    void repeatedSetting_isRejected() {
        EventRouter.Builder b = EventRouter.builder().retry(RetryPolicy.none());
        assertThatThrownBy(() -> b.retry(RetryPolicy.defaults())).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("retry was already set to RetryPolicy{");
        assertThatThrownBy(() -> EventRouter.builder().onUnknownType(UnknownTypePolicy.SKIP)
                .onUnknownType(UnknownTypePolicy.FAIL)).hasMessage("onUnknownType was already set to SKIP");
    }

    @Test
    void badValues_areRejectedNamingTheSetting() {
        assertThatThrownBy(() -> EventRouter.builder().route(" ", OrderCreated.class, (e, c) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("type must not be blank, but was ' '");
        assertThatThrownBy(() -> EventRouter.builder().handlerTimeout(Duration.ZERO))
                .hasMessage("handlerTimeout must be > 0, but was PT0S");
        assertThatThrownBy(() -> EventRouter.builder().route(OrderCreated.class, (e, c) -> { },
                o -> o.timeout(Duration.ofSeconds(-1)))).hasMessage("timeout must be > 0, but was PT-1S");
        assertThatThrownBy(() -> EventRouter.builder().route(OrderCreated.class, (e, c) -> { },
                o -> o.name(""))).hasMessage("name must not be blank, but was ''");
    }

    // --- routing -----------------------------------------------------------------------------------

    @Test
    void routesByTypeString_andByClass() {
        EventCollector<OrderCreated> created = new EventCollector<>();
        EventCollector<OrderShipped> shipped = new EventCollector<>();
        EventCollector<OrderShipped> byString = new EventCollector<>();
        EventRouter router = build(builder()
                .route(OrderCreated.class, created)              // @EventType value
                .route(OrderShipped.class, shipped)              // simple class name
                .route("LegacyShipped", OrderShipped.class, byString));

        assertThat(now(router.dispatch(created(1))).outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(now(router.dispatch(message("OrderShipped", "o", "{\"orderId\":\"o-2\"}", 2))).outcome())
                .isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(now(router.dispatch(message("LegacyShipped", "o", "{\"orderId\":\"o-3\"}", 3))).outcome())
                .isEqualTo(DispatchOutcome.SUCCEEDED);

        assertThat(created.payloads()).containsExactly(new OrderCreated("o-1", 5));
        assertThat(created.events().get(0).id()).isEqualTo("id-1");
        assertThat(created.events().get(0).key()).isEqualTo("order-1");
        assertThat(created.events().get(0).headers()).containsEntry("custom", "c1");
        assertThat(shipped.payloads()).containsExactly(new OrderShipped("o-2"));
        assertThat(byString.payloads()).containsExactly(new OrderShipped("o-3"));
        assertThat(router.eventTypes()).containsExactlyInAnyOrder("OrderCreated", "OrderShipped", "LegacyShipped");
    }

    @Test
    void typeFromJsonField_whenHeaderMissing() {
        EventCollector<OrderShipped> shipped = new EventCollector<>();
        EventRouter router = build(builder().route(OrderShipped.class, shipped));
        DispatchResult r = now(router.dispatch(message(null, "k",
                "{\"event_type\":\"OrderShipped\",\"orderId\":\"o-9\"}", 9)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(shipped.payloads()).containsExactly(new OrderShipped("o-9"));
    }

    @Test
    void unknownType_defaultPolicy_deadLettersOriginalBytes() {
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> { }));
        DispatchResult r = now(router.dispatch(message("Mystery", "k", "{\"x\":1}", 4)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        DeadLetter letter = dlq.deadLetters().get(0);
        assertThat(letter.valueAsString()).isEqualTo("{\"x\":1}");
        assertThat(letter.eventType()).isEqualTo("Mystery");
        assertThat(letter.exceptionClass()).isEqualTo(UnknownEventTypeException.class.getName());
        assertThat(letter.attempts()).isZero();
    }

    @Test
    void unknownType_skipPolicy_acknowledgesWithoutDeadLetter() {
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> { })
                .onUnknownType(UnknownTypePolicy.SKIP));
        assertThat(now(router.dispatch(message("Mystery", "k", "{}", 4))).outcome()).isEqualTo(DispatchOutcome.SKIPPED);
        assertThat(dlq.deadLetters()).isEmpty();
    }

    @Test
    void unknownType_failPolicy_isNotAcknowledgeable() {
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> { })
                .onUnknownType(UnknownTypePolicy.FAIL));
        DispatchResult r = now(router.dispatch(message(null, "k", "not json", 4)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.FAILED);
        assertThat(r.outcome().acknowledgeable()).isFalse();
        assertThat(r.failure()).containsInstanceOf(UnknownEventTypeException.class);
        assertThat(dlq.deadLetters()).isEmpty();
    }

    // --- retry and dead letters ----------------------------------------------------------------

    @Test
    void transientFailure_isRetriedWithPolicyDelays_thenSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> {
            if (calls.incrementAndGet() < 3) {
                throw new TransientException("db busy");
            }
        }).retry(RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10)).maxAttempts(5)));

        CompletableFuture<DispatchResult> f = router.dispatch(created(1)).toCompletableFuture();
        assertThat(calls).hasValue(1);
        assertThat(f).isNotDone();
        clock.advance(Duration.ofMillis(999));
        assertThat(calls).hasValue(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(calls).hasValue(2);
        clock.advance(Duration.ofSeconds(2));
        assertThat(calls).hasValue(3);
        assertThat(f.join().outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(f.join().attempts()).isEqualTo(3);
        assertThat(clock.scheduledDelays()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(dlq.deadLetters()).isEmpty();
    }

    @Test
    void exhaustedRetries_deadLetterEveryField() {
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("payment gateway down", new java.io.IOException("connection reset"));
        }, o -> o.name("billing-handler")).retry(RetryPolicy.fixed(Duration.ofSeconds(1)).maxAttempts(3)));

        CompletableFuture<DispatchResult> f = router.dispatch(created(7)).toCompletableFuture();
        clock.advance(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        DispatchResult r = f.join();

        assertThat(calls).hasValue(3);
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        DeadLetter d = dlq.deadLetters().get(0);
        assertThat(r.deadLetter()).containsSame(d);
        assertThat(new String(d.key(), StandardCharsets.UTF_8)).isEqualTo("order-7");
        assertThat(d.valueAsString()).isEqualTo("{\"orderId\":\"o-7\",\"amount\":5}");
        assertThat(d.headers()).contains(MessageHeader.of(EventHeaders.EVENT_TYPE, "OrderCreated"),
                MessageHeader.of("custom", "c1"));
        assertThat(d.topic()).isEqualTo("orders");
        assertThat(d.partition()).isEqualTo(2);
        assertThat(d.offset()).isEqualTo(7);
        assertThat(d.timestamp()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(d.consumerGroup()).isEqualTo("billing");
        assertThat(d.eventId()).isEqualTo("id-7");
        assertThat(d.eventType()).isEqualTo("OrderCreated");
        assertThat(d.handlerName()).isEqualTo("billing-handler");
        assertThat(d.exceptionClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(d.rootCauseClass()).isEqualTo(java.io.IOException.class.getName());
        assertThat(d.message()).isEqualTo("payment gateway down");
        assertThat(d.stackTrace()).contains("IllegalStateException").contains("connection reset");
        assertThat(d.attempts()).isEqualTo(3);
        assertThat(d.firstFailureAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(d.lastFailureAt()).isEqualTo(Instant.parse("2026-01-01T00:00:02Z"));
    }

    @Test
    void stackTrace_isCappedAt8KiB() {
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> {
            throw new NonRetryableException("x".repeat(20_000));
        }));
        now(router.dispatch(created(1)));
        assertThat(dlq.deadLetters().get(0).stackTrace().getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(DeadLetter.MAX_STACK_TRACE_BYTES);
    }

    @Test
    void nonRetryable_andAbortOn_skipRetries() {
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> {
            calls.incrementAndGet();
            throw new RuntimeException(new IllegalArgumentException("invalid order"));
        }).retry(RetryPolicy.fixed(Duration.ofSeconds(1)).maxAttempts(5).abortOn(IllegalArgumentException.class)));
        assertThat(now(router.dispatch(created(1))).outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(calls).hasValue(1);
    }

    @Test
    void retryOn_limitsRetriesToListedTypes() {
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("not transient");
        }).retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(5).retryOn(TransientException.class)));
        assertThat(now(router.dispatch(created(1))).outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(calls).hasValue(1);
    }

    @Test
    void decodeFailure_isDeadLetteredWithoutCallingTheHandler() {
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> calls.incrementAndGet()));
        DispatchResult r = now(router.dispatch(message("OrderCreated", "k", "{\"orderId\": [", 3)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(calls).hasValue(0);
        assertThat(dlq.deadLetters().get(0).valueAsString()).isEqualTo("{\"orderId\": [");
        assertThat(dlq.deadLetters().get(0).exceptionClass()).isEqualTo("io.eventcore.codec.DecodeException");
    }

    @Test
    void perRouteOverrides_replaceRouterDefaults() {
        InMemoryDeadLetterSink routeSink = new InMemoryDeadLetterSink();
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder()
                .retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(4))
                .route(OrderCreated.class, (e, c) -> {
                    calls.incrementAndGet();
                    throw new TransientException("x");
                }, o -> o.retry(RetryPolicy.none()).deadLetter(routeSink)));
        now(router.dispatch(created(1)));
        assertThat(calls).hasValue(1);
        assertThat(routeSink.deadLetters()).hasSize(1);
        assertThat(dlq.deadLetters()).isEmpty();
    }

    @Test
    void sinkFailure_isFailed_andTheWriteCanBeRetriedWithoutRerunningTheHandler() {
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> {
            calls.incrementAndGet();
            throw new NonRetryableException("bad");
        }));
        dlq.setDown(true);
        DispatchResult r = now(router.dispatch(created(1)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.FAILED);
        assertThat(r.deadLetterPending()).isTrue();
        assertThat(router.retryDeadLetter(r).outcome()).isEqualTo(DispatchOutcome.FAILED);

        dlq.setDown(false);
        DispatchResult retried = router.retryDeadLetter(r);
        assertThat(retried.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(dlq.deadLetters()).hasSize(1);
        assertThat(calls).hasValue(1);
        assertThat(dlq.rejectedWrites()).isEqualTo(2);
    }

    @Test
    void noSink_exhaustedEventIsFailedNotLost() {
        EventRouter router = build(EventRouter.builder().clock(clock).scheduler(clock)
                .route(OrderCreated.class, (e, c) -> {
                    throw new NonRetryableException("bad");
                }));
        DispatchResult r = now(router.dispatch(created(1)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.FAILED);
        assertThat(r.deadLetterPending()).isFalse();
    }

    @Test
    void redeliverMode_returnsRetryLater_andDeadLettersAfterTheLastAttemptHeader() {
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> {
            throw new TransientException("later");
        }).retry(RetryPolicy.fixed(Duration.ofSeconds(30)).maxAttempts(3).mode(RetryMode.REDELIVER)));

        DispatchResult first = now(router.dispatch(created(1)));
        assertThat(first.outcome()).isEqualTo(DispatchOutcome.RETRY_LATER);
        assertThat(first.delay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(first.attempts()).isEqualTo(1);

        InboundMessage third = created(1).toBuilder().header(EventHeaders.ATTEMPT, "3")
                .header(EventHeaders.FIRST_FAILURE_AT, "2025-12-31T00:00:00Z").build();
        DispatchResult last = now(router.dispatch(third));
        assertThat(last.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(dlq.deadLetters().get(0).attempts()).isEqualTo(3);
        assertThat(dlq.deadLetters().get(0).firstFailureAt()).isEqualTo(Instant.parse("2025-12-31T00:00:00Z"));
    }

    @Test
    void jvmError_isFatal_neitherRetriedNorDeadLettered() {
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder().route(OrderCreated.class, (e, c) -> {
            calls.incrementAndGet();
            throw new StackOverflowError("deep");
        }).retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(5)));
        DispatchResult r = now(router.dispatch(created(1)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.FAILED);
        assertThat(r.fatal()).isTrue();
        assertThat(calls).hasValue(1);
        assertThat(dlq.deadLetters()).isEmpty();
    }

    // --- middleware ----------------------------------------------------------------------------

    @Test
    void userMiddleware_seesEveryAttempt_insideRetry_inRegistrationOrder() {
        List<String> trace = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder()
                .middleware((e, c, chain) -> {
                    trace.add("outer#" + c.attempt());
                    return chain.proceed(e, c).whenComplete((ok, err) -> trace.add("outer-done#" + c.attempt()
                            + (err == null ? "" : ":failed")));
                })
                .middleware((e, c, chain) -> {
                    trace.add("inner#" + c.attempt());
                    return chain.proceed(e, c);
                })
                .route(OrderCreated.class, (e, c) -> {
                    trace.add("handler#" + c.attempt());
                    if (calls.incrementAndGet() == 1) {
                        throw new TransientException("once");
                    }
                })
                .retry(RetryPolicy.fixed(Duration.ofSeconds(1))));

        CompletableFuture<DispatchResult> f = router.dispatch(created(1)).toCompletableFuture();
        clock.advance(Duration.ofSeconds(1));
        assertThat(f.join().outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(trace).containsExactly("outer#1", "inner#1", "handler#1", "outer-done#1:failed",
                "outer#2", "inner#2", "handler#2", "outer-done#2");
        assertThat(dlq.deadLetters()).as("retryable failure retried before reaching the DLQ").isEmpty();
    }

    @Test
    void middlewareThrowing_failsTheAttempt_whichIsRetried() {
        AtomicInteger mw = new AtomicInteger();
        EventRouter router = build(builder()
                .middleware((e, c, chain) -> {
                    if (mw.incrementAndGet() == 1) {
                        throw new TransientException("mw");
                    }
                    return chain.proceed(e, c);
                })
                .route(OrderCreated.class, (e, c) -> { })
                .retry(RetryPolicy.fixed(Duration.ZERO)));
        assertThat(now(router.dispatch(created(1))).attempts()).isEqualTo(2);
    }

    // --- async handlers ------------------------------------------------------------------------

    @Test
    void asyncHandler_completedExceptionally_isRetriedThenDeadLettered() {
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder()
                .routeAsync(OrderCreated.class, (e, c) -> {
                    calls.incrementAndGet();
                    return CompletableFuture.failedFuture(new TransientException("async"));
                })
                .retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(2)));
        DispatchResult r = now(router.dispatch(created(1)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(calls).hasValue(2);
        assertThat(dlq.deadLetters().get(0).exceptionClass()).endsWith("TransientException");
    }

    @Test
    void asyncHandler_neverCompleting_timesOut() {
        EventRouter router = build(builder()
                .routeAsync(OrderCreated.class, (e, c) -> new CompletableFuture<>(), o -> o.timeout(Duration.ofSeconds(5)))
                .retry(RetryPolicy.none()));
        CompletableFuture<DispatchResult> f = router.dispatch(created(1)).toCompletableFuture();
        clock.advance(Duration.ofSeconds(4));
        assertThat(f).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        assertThat(f.join().outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(dlq.deadLetters().get(0).exceptionClass()).isEqualTo(HandlerTimeoutException.class.getName());
    }

    @Test
    void asyncHandler_success() {
        EventRouter router = build(builder().routeAsync(OrderCreated.class,
                (e, c) -> CompletableFuture.completedFuture(null)));
        assertThat(now(router.dispatch(created(1))).outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(clock.pendingTasks()).as("no timer left behind").isZero();
    }

    @Test
    void asyncHandler_returningAValue_compilesAndItsValueIsIgnored() {
        CompletableFuture<String> reply = new CompletableFuture<>();
        EventRouter router = build(builder().routeAsync(OrderCreated.class, (e, c) -> reply));
        CompletableFuture<DispatchResult> pending = router.dispatch(created(1)).toCompletableFuture();
        assertThat(pending).as("waits for the handler's stage").isNotDone();
        reply.complete("acknowledged by the remote service");
        assertThat(now(pending).outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
    }

    @Test
    void asyncHandler_pendingPastTimeout_isRetriedThroughTheSameChain_andMiddlewareSeesEachAttempt() {
        List<Integer> seenByMiddleware = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = build(builder()
                .retry(RetryPolicy.fixed(Duration.ofMillis(10)).maxAttempts(2))
                .handlerTimeout(Duration.ofSeconds(1))
                .middleware((event, ctx, chain) -> {
                    seenByMiddleware.add(ctx.attempt());
                    return chain.proceed(event, ctx);
                })
                .routeAsync(OrderCreated.class, (e, c) -> calls.incrementAndGet() == 1
                        ? new CompletableFuture<Void>() : CompletableFuture.completedFuture("second try")));
        CompletableFuture<DispatchResult> pending = router.dispatch(created(1)).toCompletableFuture();
        clock.advance(Duration.ofSeconds(1));
        clock.advance(Duration.ofMillis(10));
        assertThat(now(pending).outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        assertThat(now(pending).attempts()).isEqualTo(2);
        assertThat(seenByMiddleware).containsExactly(1, 2);
        assertThat(dlq.deadLetters()).isEmpty();
    }

    @Test
    void metrics_overridingOneMethod_receiveOnlyWhatTheyAskFor() {
        AtomicInteger deadLettered = new AtomicInteger();
        EventRouter router = build(builder().retry(RetryPolicy.none())
                .metrics(new io.eventcore.routing.EventMetrics() {
                    @Override
                    public void deadLettered(String eventType, String exceptionClass) {
                        deadLettered.incrementAndGet();
                    }
                })
                .route(OrderCreated.class, (e, c) -> {
                    throw new TransientException("down");
                }));
        assertThat(now(router.dispatch(created(1))).outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(deadLettered).hasValue(1);
    }

    /** Dispatches and captures a synchronous throw as a failed future, so the test can assert on it. */
    private static CompletableFuture<DispatchResult> dispatch(EventRouter router, InboundMessage m) {
        try {
            return router.dispatch(m).toCompletableFuture();
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(new AssertionError("dispatch threw synchronously: " + t, t));
        }
    }

    private static DispatchResult completedNormally(CompletableFuture<DispatchResult> f) {
        assertThat(f).as("dispatch completed").isDone();
        assertThat(f).as("dispatch never completes exceptionally").isCompletedWithValueMatching(r -> r != null);
        return f.join();
    }

    // --- edge cases from an adversarial review: "dispatch never completes exceptionally" -----------

    // handlers returning a CompletionStage that is not a plain CompletableFuture

    @Test
    void asyncHandler_returningCompletedStage_succeeds() {
        EventRouter router = build(builder().routeAsync(OrderCreated.class,
                (e, c) -> CompletableFuture.completedStage(null)));
        assertThat(completedNormally(dispatch(router, created(1))).outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
    }

    @Test
    void asyncHandler_returningFailedStage_isDeadLettered() {
        EventRouter router = build(builder().retry(RetryPolicy.none()).routeAsync(OrderCreated.class,
                (e, c) -> CompletableFuture.failedStage(new TransientException("boom"))));
        assertThat(completedNormally(dispatch(router, created(1))).outcome())
                .isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(dlq.deadLetters()).hasSize(1);
    }

    @Test
    void asyncHandler_returningMinimalCompletionStage_withMiddleware_succeedsWhenItCompletes() {
        CompletableFuture<Void> remote = new CompletableFuture<>();
        EventRouter router = build(builder().middleware((e, c, chain) -> chain.proceed(e, c))
                .routeAsync(OrderCreated.class, (e, c) -> remote.minimalCompletionStage()));
        CompletableFuture<DispatchResult> f = dispatch(router, created(1));
        remote.complete(null);
        assertThat(completedNormally(f).outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
    }

    @Test
    void asyncHandler_returningMinimalCompletionStageThatNeverCompletes_timesOutAndIsDeadLettered() {
        EventRouter router = build(builder().retry(RetryPolicy.none()).routeAsync(OrderCreated.class,
                (e, c) -> new CompletableFuture<Void>().minimalCompletionStage(), o -> o.timeout(Duration.ofSeconds(5))));
        CompletableFuture<DispatchResult> f = dispatch(router, created(1));
        clock.advance(Duration.ofSeconds(5));
        assertThat(completedNormally(f).outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
        assertThat(dlq.deadLetters().get(0).exceptionClass()).isEqualTo(HandlerTimeoutException.class.getName());
    }

    // closing the router

    @Test
    void close_whileAnInPlaceRetryIsWaiting_endsThatDispatchAsFailed() throws Exception {
        // The router's own timer and executor, as in production when none is injected.
        EventRouter router = EventRouter.builder().deadLetter(dlq)
                .retry(RetryPolicy.fixed(Duration.ofMillis(300)).maxAttempts(3))
                .route(OrderCreated.class, (e, c) -> {
                    throw new TransientException("down");
                }).build();
        CompletableFuture<DispatchResult> f = dispatch(router, created(1));
        assertThat(f).as("waiting for the retry delay").isNotDone();
        router.close();
        DispatchResult r;
        try {
            r = f.get(3, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("close() left the pending in-place retry waiting forever; EventRouter.close "
                    + "promises it ends as FAILED", e);
        }
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.FAILED);
    }

    @Test
    void dispatch_afterClose_ofAnAsyncRoute_endsFailed_neverThrows() {
        EventRouter router = EventRouter.builder().deadLetter(dlq)
                .routeAsync(OrderCreated.class, (e, c) -> new CompletableFuture<Void>()).build();
        router.close();
        CompletableFuture<DispatchResult> f = dispatch(router, created(1));
        assertThat(completedNormally(f).outcome()).isEqualTo(DispatchOutcome.FAILED);
    }

    @Test
    void dispatch_afterClose_ofAnAsyncRouteBehindAMiddleware_endsFailed_notSucceeded() {
        // The timeout stage ends such a dispatch as FAILED; a middleware (inside the timeout) must not turn it into
        // a success, which the transport would acknowledge: a lost event.
        EventRouter router = EventRouter.builder().deadLetter(dlq)
                .middleware((event, ctx, chain) -> chain.proceed(event, ctx))
                .routeAsync(OrderCreated.class, (e, c) -> new CompletableFuture<Void>()).build();
        router.close();
        CompletableFuture<DispatchResult> f = dispatch(router, created(1));
        assertThat(completedNormally(f).outcome()).isEqualTo(DispatchOutcome.FAILED);
    }

    @Test
    void dispatch_afterClose_whenAMiddlewareSwallowsTheFailure_stillEndsFailed() {
        EventRouter router = EventRouter.builder().deadLetter(dlq)
                .middleware((event, ctx, chain) -> chain.proceed(event, ctx).exceptionally(t -> null))
                .routeAsync(OrderCreated.class, (e, c) -> new CompletableFuture<Void>()).build();
        router.close();
        CompletableFuture<DispatchResult> f = dispatch(router, created(1));
        assertThat(completedNormally(f).outcome()).isEqualTo(DispatchOutcome.FAILED);
    }

    // errors

    @Test
    void errorFromTheDeadLetterSink_endsTheDispatchAsFatalFailed_neverExceptionally() {
        DeadLetterSink broken = letter -> {
            throw new NoClassDefFoundError("org/apache/kafka/Whatever");
        };
        EventRouter router = build(EventRouter.builder().clock(clock).scheduler(clock).executor(Runnable::run)
                .deadLetter(broken).retry(RetryPolicy.none())
                .route(OrderCreated.class, (e, c) -> {
                    throw new TransientException("x");
                }));
        DispatchResult r = completedNormally(dispatch(router, created(1)));
        assertThat(r.outcome()).isEqualTo(DispatchOutcome.FAILED);
    }

    // --- concurrency ---------------------------------------------------------------------------

    @Test
    void concurrentDispatch_from8Threads_losesAndDoublesNothing() throws Exception {
        int perThread = 2_000;
        ConcurrentHashMap<String, AtomicInteger> handled = new ConcurrentHashMap<>();
        EventRouter router = build(EventRouter.builder().deadLetter(dlq)
                .route(OrderCreated.class, (e, c) -> {
                    if (e.payload().amount() % 10 == 0) {
                        throw new NonRetryableException("every tenth fails");
                    }
                    handled.computeIfAbsent(e.id(), k -> new AtomicInteger()).incrementAndGet();
                }));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<DispatchResult>>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                go.await();
                List<DispatchResult> results = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    long offset = thread * (long) perThread + i;
                    results.add(router.dispatch(message("OrderCreated", "k" + i,
                            "{\"orderId\":\"o\",\"amount\":" + i + "}", offset)).toCompletableFuture().join());
                }
                return results;
            }));
        }
        go.countDown();
        int succeeded = 0;
        int deadLettered = 0;
        for (Future<List<DispatchResult>> f : futures) {
            for (DispatchResult r : f.get(60, TimeUnit.SECONDS)) {
                if (r.outcome() == DispatchOutcome.SUCCEEDED) {
                    succeeded++;
                } else if (r.outcome() == DispatchOutcome.DEAD_LETTERED) {
                    deadLettered++;
                }
            }
        }
        pool.shutdown();
        assertThat(succeeded).isEqualTo(8 * perThread * 9 / 10);
        assertThat(deadLettered).isEqualTo(8 * perThread / 10);
        assertThat(handled).hasSize(succeeded);
        assertThat(handled.values()).allMatch(n -> n.get() == 1);
        assertThat(dlq.deadLetters()).hasSize(deadLettered);
    }
}
