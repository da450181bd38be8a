package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.BatchFailedException;
import io.eventcore.BatchHandler;
import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.SkipEventException;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code routeBatch}: one handler call per run of events, and each event keeping its own outcome on failure. */
class BatchRoutesTest {
    record OrderCreated(String orderId, int amount) {
    }

    private final ManualClock clock = new ManualClock();
    private final InMemoryDeadLetterSink dlq = new InMemoryDeadLetterSink();
    private final List<EventRouter> routers = new ArrayList<>();
    /** Each call's order ids, in call order. */
    private final List<List<String>> calls = new CopyOnWriteArrayList<>();
    /** The attempt numbers the handler saw, per order id, in call order. */
    private final List<String> attempts = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        routers.forEach(EventRouter::close);
    }

    private EventRouter router(BatchHandler<OrderCreated> inner, Consumer<EventRouter.Builder> more) {
        BatchHandler<OrderCreated> recording = (events, ctx) -> {
            calls.add(events.stream().map(e -> e.payload().orderId()).toList());
            for (int i = 0; i < events.size(); i++) {
                attempts.add(events.get(i).payload().orderId() + "#" + ctx.context(i).attempt());
            }
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

    private static List<InboundMessage> orders(int n) {
        List<InboundMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(EventRouterTest.created(i));
        }
        return out;
    }

    private static List<DispatchResult> now(CompletionStage<List<DispatchResult>> stage) {
        CompletableFuture<List<DispatchResult>> f = stage.toCompletableFuture();
        assertThat(f).as("batch dispatch completed").isDone();
        return f.join();
    }

    private static List<DispatchOutcome> outcomes(List<DispatchResult> results) {
        return results.stream().map(r -> r == null ? null : r.outcome()).collect(Collectors.toList());
    }

    @Test
    void aRunOfEventsIsOneCallAndEveryEventSucceeds() {
        EventRouter router = router((events, ctx) -> { }, b -> { });
        assertThat(router.batching()).isTrue();

        List<DispatchResult> results = now(router.dispatchBatch(orders(5)));

        assertThat(calls).containsExactly(List.of("o-0", "o-1", "o-2", "o-3", "o-4"));
        assertThat(outcomes(results)).containsOnly(DispatchOutcome.SUCCEEDED).hasSize(5);
    }

    @Test
    void theNamedEventIsRetriedAloneAndCharged_theOnesBeforeAreDone_theRestFollowInANewBatch() {
        AtomicInteger failuresLeft = new AtomicInteger(1);
        EventRouter router = router((events, ctx) -> {
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).payload().orderId().equals("o-2") && failuresLeft.getAndDecrement() > 0) {
                    throw new BatchFailedException(events.get(i), new IllegalStateException("db busy"));
                }
            }
        }, b -> { });

        List<DispatchResult> results = now(router.dispatchBatch(orders(5)));

        assertThat(calls).containsExactly(List.of("o-0", "o-1", "o-2", "o-3", "o-4"), List.of("o-2"),
                List.of("o-3", "o-4"));
        assertThat(attempts).contains("o-2#1", "o-2#2").doesNotContain("o-3#2", "o-0#2");
        assertThat(outcomes(results)).containsOnly(DispatchOutcome.SUCCEEDED).hasSize(5);
        assertThat(results.get(2).attempts()).isEqualTo(2);
    }

    @Test
    void aWholeBatchFailureHandlesEachEventAloneUncharged_soOnlyThePoisonIsDeadLettered() {
        EventRouter router = router((events, ctx) -> {
            if (events.stream().anyMatch(e -> e.payload().orderId().equals("o-3"))) {
                throw new IllegalArgumentException("o-3 is poison");
            }
        }, b -> b.deadLetter(dlq));

        List<DispatchResult> results = now(router.dispatchBatch(orders(6)));

        assertThat(calls).containsExactly(List.of("o-0", "o-1", "o-2", "o-3", "o-4", "o-5"), List.of("o-0"),
                List.of("o-1"), List.of("o-2"), List.of("o-3"), List.of("o-3"), List.of("o-3"), List.of("o-4"),
                List.of("o-5"));
        assertThat(outcomes(results)).containsExactly(DispatchOutcome.SUCCEEDED, DispatchOutcome.SUCCEEDED,
                DispatchOutcome.SUCCEEDED, DispatchOutcome.DEAD_LETTERED, DispatchOutcome.SUCCEEDED,
                DispatchOutcome.SUCCEEDED);
        DeadLetter letter = dlq.deadLetters().get(0);
        assertThat(dlq.deadLetters()).hasSize(1);
        assertThat(letter.attempts()).as("the poison's own attempts, the batch call not charged").isEqualTo(3);
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).contains("o-3");
        assertThat(attempts).filteredOn(a -> a.startsWith("o-0#")).containsExactly("o-0#1", "o-0#1");
    }

    @Test
    void anUndecodableEventInTheRunIsDeadLetteredWithItsBytesAndSplitsTheRun() {
        EventRouter router = router((events, ctx) -> { }, b -> b.deadLetter(dlq));
        List<InboundMessage> messages = orders(5);
        messages.set(2, EventRouterTest.message("OrderCreated", "k", "not json", 2));

        List<DispatchResult> results = now(router.dispatchBatch(messages));

        assertThat(calls).containsExactly(List.of("o-0", "o-1"), List.of("o-3", "o-4"));
        assertThat(outcomes(results)).containsExactly(DispatchOutcome.SUCCEEDED, DispatchOutcome.SUCCEEDED,
                DispatchOutcome.DEAD_LETTERED, DispatchOutcome.SUCCEEDED, DispatchOutcome.SUCCEEDED);
        assertThat(dlq.deadLetters().get(0).value()).isEqualTo("not json".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anEventThatIsNotFinalStopsTheDispatch_theLaterOnesAreLeftForTheTransport() {
        EventRouter router = router((events, ctx) -> {
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).payload().orderId().equals("o-1")) {
                    throw new BatchFailedException(i, new IllegalStateException("down"));
                }
            }
        }, b -> { }); // no dead-letter sink: an exhausted event stays FAILED

        List<DispatchResult> results = now(router.dispatchBatch(orders(4)));

        assertThat(outcomes(results)).containsExactly(DispatchOutcome.SUCCEEDED, DispatchOutcome.FAILED, null, null);
        assertThat(calls).containsExactly(List.of("o-0", "o-1", "o-2", "o-3"), List.of("o-1"), List.of("o-1"));
    }

    @Test
    void anErrorIsFatalAndNothingAfterItIsDispatched() {
        EventRouter router = router((events, ctx) -> {
            throw new OutOfMemoryError("simulated");
        }, b -> b.deadLetter(dlq));

        List<DispatchResult> results = now(router.dispatchBatch(orders(3)));

        assertThat(results.get(0).fatal()).isTrue();
        assertThat(results.subList(1, 3)).containsOnlyNulls();
        assertThat(dlq.deadLetters()).isEmpty();
    }

    @Test
    void aNamedSkipSkipsThatEventOnly() {
        EventRouter router = router((events, ctx) -> {
            if (events.size() > 1) {
                throw new BatchFailedException(1, new SkipEventException("seen"));
            }
        }, b -> { });

        List<DispatchResult> results = now(router.dispatchBatch(orders(3)));

        assertThat(outcomes(results)).containsExactly(DispatchOutcome.SUCCEEDED, DispatchOutcome.SKIPPED,
                DispatchOutcome.SUCCEEDED);
        assertThat(calls).containsExactly(List.of("o-0", "o-1", "o-2"), List.of("o-2"));
    }

    @Test
    void otherRoutesInTheSameUnitKeepTheirPlaceAndBatchesRespectTheirBounds() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        EventRouter.Builder b = EventRouter.builder().clock(clock).scheduler(clock).executor(Runnable::run)
                .route("Shipped", OrderCreated.class, (e, c) -> order.add("single:" + e.payload().orderId()))
                .routeBatch("OrderCreated", OrderCreated.class, (events, c) -> order.add("batch:"
                        + events.stream().map(e -> e.payload().orderId()).collect(Collectors.joining(","))),
                        o -> o.maxBatchSize(2));
        EventRouter router = b.build();
        routers.add(router);
        List<InboundMessage> messages = orders(6);
        messages.set(3, EventRouterTest.message("Shipped", "k", "{\"orderId\":\"s-3\",\"amount\":1}", 3));

        assertThat(outcomes(now(router.dispatchBatch(messages)))).containsOnly(DispatchOutcome.SUCCEEDED);
        assertThat(order).containsExactly("batch:o-0,o-1", "batch:o-2", "single:s-3", "batch:o-4,o-5");
    }

    @Test
    void theByteBoundSplitsBatchesButAnOversizedEventStillGoesAlone() {
        EventRouter router = EventRouter.builder().clock(clock).scheduler(clock).executor(Runnable::run)
                .routeBatch("OrderCreated", OrderCreated.class, (events, c) -> calls.add(
                        events.stream().map(e -> e.payload().orderId()).toList()), o -> o.maxBatchBytes(70))
                .build();
        routers.add(router);

        now(router.dispatchBatch(orders(4))); // each payload is about 30 bytes

        assertThat(calls).containsExactly(List.of("o-0", "o-1"), List.of("o-2", "o-3"));
    }

    @Test
    void middlewareWrapsRetriesAlone_notTheBatchCall() {
        List<String> wrapped = new CopyOnWriteArrayList<>();
        AtomicInteger failures = new AtomicInteger(1);
        EventRouter router = router((events, ctx) -> {
            if (events.size() > 1 && failures.getAndDecrement() > 0) {
                throw new BatchFailedException(1, new IllegalStateException("busy"));
            }
        }, b -> b.middleware((event, ctx, chain) -> {
            wrapped.add(((OrderCreated) event.payload()).orderId() + "#" + ctx.attempt());
            return chain.proceed(event, ctx);
        }));

        List<DispatchResult> results = now(router.dispatchBatch(orders(3)));

        assertThat(outcomes(results)).containsOnly(DispatchOutcome.SUCCEEDED);
        assertThat(calls).containsExactly(List.of("o-0", "o-1", "o-2"), List.of("o-1"), List.of("o-2"));
        // o-1's retry is an attempt alone, and so is o-2's run of one: the middleware wraps both.
        assertThat(wrapped).containsExactly("o-1#2", "o-2#1");
    }

    @Test
    void aRouterWithoutBatchRoutesDispatchesOneByOne() {
        EventRouter router = EventRouter.builder().route("OrderCreated", OrderCreated.class, (e, c) -> { }).build();
        routers.add(router);
        assertThat(router.batching()).isFalse();
        assertThat(outcomes(now(router.dispatchBatch(orders(3))))).containsOnly(DispatchOutcome.SUCCEEDED);
    }

    @Test
    void theEventsCarryTheirOwnIdsAndHeaders() {
        List<Event<OrderCreated>> seen = new CopyOnWriteArrayList<>();
        EventRouter router = router((events, ctx) -> seen.addAll(events), b -> { });
        now(router.dispatchBatch(orders(3)));
        assertThat(seen).extracting(Event::id).containsExactly("id-0", "id-1", "id-2");
        assertThat(Set.copyOf(seen.stream().map(e -> e.headers().get("custom")).toList())).containsExactly("c1");
        assertThat(EventHeaders.EVENT_ID).isNotBlank();
    }
}
