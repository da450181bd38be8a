package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.BatchFailedException;
import io.eventcore.BatchHandler;
import io.eventcore.InboundMessage;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import io.eventcore.routing.Middleware;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Adversarial review of batch routes at the router level ({@code dispatchBatch}, ManualClock, same-thread executor).
 * Regressions: every test but the controls failed on the code reviewed (6a9ed6a); each describes its defect.
 */
class BatchReviewRouterTest {
    record OrderCreated(String orderId, int amount) {
    }

    private final ManualClock clock = new ManualClock();
    private final List<EventRouter> routers = new ArrayList<>();
    /** What happened, in order: "call:o-0,o-1" per handler call, "dlq:o-2" per dead letter. */
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final InMemoryDeadLetterSink sink = new InMemoryDeadLetterSink();

    @AfterEach
    void close() {
        routers.forEach(EventRouter::close);
    }

    private EventRouter router(BatchHandler<OrderCreated> inner, Consumer<EventRouter.Builder> more) {
        BatchHandler<OrderCreated> recording = (events, ctx) -> {
            log.add("call:" + events.stream().map(e -> e.payload().orderId()).collect(Collectors.joining(",")));
            inner.handle(events, ctx);
        };
        EventRouter.Builder b = EventRouter.builder().clock(clock).scheduler(clock).executor(Runnable::run)
                .retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(3))
                .routeBatch("OrderCreated", OrderCreated.class, recording, o -> o.maxBatchSize(50));
        more.accept(b);
        EventRouter r = b.build();
        routers.add(r);
        return r;
    }

    private void recordingSink(EventRouter.Builder b) {
        b.deadLetter(letter -> {
            log.add("dlq:@" + letter.offset());
            sink.accept(letter);
        });
    }

    private static List<InboundMessage> orders(int n) {
        List<InboundMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(EventRouterTest.created(i));
        }
        return out;
    }

    private static List<DispatchOutcome> outcomes(List<DispatchResult> results) {
        return results.stream().map(r -> r == null ? null : r.outcome()).collect(Collectors.toList());
    }

    private static String id(io.eventcore.Event<?> event) {
        return ((OrderCreated) event.payload()).orderId();
    }

    /**
     * REORDER. A middleware that fails an event's first attempt (a transient failure: a rate limiter, a lookup)
     * makes the retry stage retry that event at once, alone, while the events before it are still parked in their
     * batch slot: o-1 is handled before o-0 of the same partition. The slot of o-1 only "ends" when its whole dispatch
     * (retries included) ends, so the call of o-0 waits for it. Root cause: BatchCall/HandlerStage: a retry attempt
     * (Exchange.withRetryAttempt, slot null) of an event that never arrived is handled alone at once, ahead of the
     * arrived events before it that are waiting for BatchCall.ready().
     */
    @Test
    void middlewareTransientFailure_laterEventIsHandledBeforeEarlierOne() {
        AtomicBoolean failedOnce = new AtomicBoolean();
        EventRouter router = router((events, ctx) -> { }, b -> b.middleware((event, ctx, chain) -> {
            if (id(event).equals("o-1") && failedOnce.compareAndSet(false, true)) {
                return CompletableFuture.failedFuture(new IllegalStateException("rate limited, try again"));
            }
            return chain.proceed(event, ctx);
        }));

        List<DispatchResult> results = router.dispatchBatch(orders(4)).toCompletableFuture().join();

        assertThat(outcomes(results)).containsOnly(DispatchOutcome.SUCCEEDED);
        List<String> handled = new ArrayList<>();
        log.forEach(entry -> handled.addAll(List.of(entry.substring("call:".length()).split(","))));
        assertThat(handled).as("handler calls in order: %s", log).containsExactly("o-0", "o-1", "o-2", "o-3");
    }

    /**
     * Wrong dead letter (and REORDER). An undecodable event in the middle of a run is dead-lettered while the
     * events before it are still waiting for their call; when that call then fails fatally, the consumer stops
     * without acknowledging o-0, yet o-2 is already in the dead-letter topic: redelivered after the restart, it is
     * dead-lettered a second time. Compare {@code BatchRoutesTest.anErrorIsFatalAndNothingAfterItIsDispatched}:
     * nothing after a fatal event should have been dispatched. Root cause: BatchDispatch.batch dispatches every
     * event of the run through the whole chain (decode and dead-letter stages included) before the call.
     */
    @Test
    void undecodableEventIsDeadLetteredEvenThoughAnEarlierEventOfTheRunIsFatal() {
        EventRouter router = router((events, ctx) -> {
            throw new OutOfMemoryError("simulated");
        }, this::recordingSink);
        List<InboundMessage> messages = orders(4);
        messages.set(2, EventRouterTest.message("OrderCreated", "k", "not json", 2));

        List<DispatchResult> results = router.dispatchBatch(messages).toCompletableFuture().join();

        assertThat(results.get(0).fatal()).isTrue();
        assertThat(log).as("nothing after the fatal o-0 is dead-lettered").containsExactly("call:o-0,o-1");
        assertThat(sink.deadLetters()).isEmpty();
    }

    /**
     * LOST. A middleware may "deliberately swallow" a failed attempt (Middleware/MiddlewareStage javadoc), e.g. a
     * best-effort middleware that logs and drops failures. The events after a named failure are answered with the
     * internal NotAttempted failure, which passes through user middleware: swallowed, it turns into a success, and
     * o-2 and o-3 end SUCCEEDED although no handler ever saw them. Root cause: BatchCall answers not-attempted
     * events through the attempt future that user middleware wraps (HandlerStage returns it below
     * MiddlewareStage); RetryStage only recognises NotAttempted if it survives the middleware.
     */
    @Test
    void swallowingMiddleware_eventsAfterANamedFailureAreNeverHandled() {
        List<String> handled = new CopyOnWriteArrayList<>();
        EventRouter router = router((events, ctx) -> {
            for (int i = 0; i < events.size(); i++) {
                if (id(events.get(i)).equals("o-1")) {
                    throw new BatchFailedException(i, new IllegalStateException("o-1 is bad"));
                }
                handled.add(id(events.get(i)));
            }
        }, b -> b.middleware(swallowFailures()));

        List<DispatchResult> results = router.dispatchBatch(orders(4)).toCompletableFuture().join();

        assertThat(outcomes(results)).containsOnly(DispatchOutcome.SUCCEEDED);
        assertThat(handled).as("every event but the swallowed o-1 is handled; calls: %s", log)
                .containsExactly("o-0", "o-2", "o-3");
    }

    /** LOST, the whole-batch variant: no event is handled alone, all "succeed" unhandled. */
    @Test
    void swallowingMiddleware_aWholeBatchFailureHandlesNoEventAlone() {
        List<String> handled = new CopyOnWriteArrayList<>();
        EventRouter router = router((events, ctx) -> {
            if (events.size() > 1) {
                throw new IllegalStateException("bulk insert failed");
            }
            handled.add(id(events.get(0)));
        }, b -> b.middleware(swallowFailures()));

        router.dispatchBatch(orders(3)).toCompletableFuture().join();

        assertThat(handled).as("each event handled again alone; calls: %s", log).containsExactly("o-0", "o-1", "o-2");
    }

    private static Middleware swallowFailures() {
        return (event, ctx, chain) -> chain.proceed(event, ctx).exceptionally(t -> null); // best effort: log, drop
    }

    /**
     * STALL. An asynchronous middleware whose stage never completes for an event (a lost callback of an async
     * lookup) is bounded by the route's timeout for single events ({@code handlerTimeout}: "asynchronous handlers
     * and middleware"): the attempt fails with HandlerTimeoutException and is retried. In a batch the timeout stage
     * is skipped for every slotted attempt, so the whole run (and the partition) waits for ever. Root cause:
     * TimeoutStage returns the inner stage unbounded whenever {@code exchange.slot() != null}, although what is
     * below it is user middleware, not only the synchronous batch call.
     */
    @Test
    void hangingAsyncMiddleware_isNotBoundedByTheTimeout_inABatch() {
        EventRouter router = router((events, ctx) -> { }, b -> b.handlerTimeout(Duration.ofSeconds(1))
                .middleware(hangsOnceFor("o-1")));

        CompletableFuture<List<DispatchResult>> f = router.dispatchBatch(orders(3)).toCompletableFuture();
        clock.advance(Duration.ofSeconds(5));

        assertThat(f).as("the timed-out attempt is retried and the batch completes").isDone();
    }

    /** Control (passes): the same middleware on a single-event route is bounded by the timeout. */
    @Test
    void control_hangingAsyncMiddleware_isBoundedByTheTimeout_forSingleEvents() {
        EventRouter router = EventRouter.builder().clock(clock).scheduler(clock).executor(Runnable::run)
                .retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(3)).handlerTimeout(Duration.ofSeconds(1))
                .middleware(hangsOnceFor("o-1"))
                .route("OrderCreated", OrderCreated.class, (e, c) -> log.add("one:" + e.payload().orderId()))
                .build();
        routers.add(router);

        CompletableFuture<List<DispatchResult>> f = router.dispatchBatch(orders(3)).toCompletableFuture();
        clock.advance(Duration.ofSeconds(5));

        assertThat(f).isDone();
        assertThat(outcomes(f.join())).containsOnly(DispatchOutcome.SUCCEEDED);
        assertThat(log).containsExactly("one:o-0", "one:o-1", "one:o-2");
    }

    private static Middleware hangsOnceFor(String orderId) {
        AtomicBoolean hung = new AtomicBoolean();
        return (event, ctx, chain) -> {
            if (id(event).equals(orderId) && hung.compareAndSet(false, true)) {
                return new CompletableFuture<Void>(); // an async step whose callback never comes
            }
            return chain.proceed(event, ctx);
        };
    }
}
