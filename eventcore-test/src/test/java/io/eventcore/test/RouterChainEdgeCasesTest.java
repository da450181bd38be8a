package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.EventHeaders;
import io.eventcore.EventType;
import io.eventcore.HandlerTimeoutException;
import io.eventcore.InboundMessage;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Edge cases of the router's stage chain found in an adversarial review (each failed before its fix)
 * against the contract "dispatch never completes exceptionally": minimal stages, close, sink Errors.
 * Chain: observation, dead letter, decode, retry, timeout, middleware, handler.
 */
class RouterChainEdgeCasesTest {
    @EventType("OrderCreated")
    record OrderCreated(String orderId, int amount) {
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

    static InboundMessage message(String type, String json, long offset) {
        InboundMessage.Builder b = InboundMessage.builder("orders").key("order-" + offset).value(json).partition(2)
                .offset(offset).timestamp(Instant.parse("2026-03-01T10:00:00Z")).consumerGroup("billing")
                .header(EventHeaders.EVENT_ID, "id-" + offset);
        if (type != null) {
            b.header(EventHeaders.EVENT_TYPE, type);
        }
        return b.build();
    }

    static InboundMessage created(long offset) {
        return message("OrderCreated", "{\"orderId\":\"o-" + offset + "\",\"amount\":5}", offset);
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

    // --- handlers returning a CompletionStage that is not a plain CompletableFuture --------------

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

    // --- closing the router --------------------------------------------------------------------

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

    // --- errors --------------------------------------------------------------------------------

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
}
