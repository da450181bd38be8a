package io.eventcore.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.InboundMessage;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** No silent path: whatever escapes dispatch or settlement is retried, an Error is fatal, a lost lease stops. */
class SettlementTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() {
        timer.shutdownNow();
        pool.shutdownNow();
    }

    private static InboundMessage message() {
        return InboundMessage.builder("orders").partition(0).offset(7).header("event_type", "Greeting")
                .value("\"hi\"".getBytes(StandardCharsets.UTF_8)).build();
    }

    private static final class RecordingLease implements Settlement.Lease {
        final AtomicBoolean valid = new AtomicBoolean(true);
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public boolean valid() {
            return valid.get();
        }

        @Override
        public void blocked(InboundMessage m) {
            events.add("blocked");
        }

        @Override
        public void unblocked(InboundMessage m) {
            events.add("unblocked");
        }

        @Override
        public void failing(InboundMessage m, Throwable cause, int failures) {
            events.add("failing " + failures + " " + cause.getClass().getSimpleName());
        }
    }

    private EventRouter redeliveringRouter() {
        return EventRouter.builder().route("Greeting", String.class, (e, c) -> {
            throw new IllegalStateException("later");
        }).retry(RetryPolicy.fixed(Duration.ofMillis(1)).maxAttempts(3).mode(RetryMode.REDELIVER)).build();
    }

    @Test
    void redelivererThatThrows_isAFailureOfTheRecord_retriedWithBackoff() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (EventRouter router = redeliveringRouter()) {
            Settlement s = new Settlement(router, timer, pool, () -> true, (m, r) -> {
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalArgumentException("producer bug");
                }
                return CompletableFuture.completedFuture(null);
            }, Duration.ofMillis(5), Duration.ofMillis(20));
            RecordingLease lease = new RecordingLease();

            s.process(message(), lease).toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(calls.get()).isEqualTo(2);
            assertThat(lease.events).containsExactly("failing 1 IllegalArgumentException", "blocked", "unblocked");
        }
    }

    @Test
    void errorFromTheRedeliverer_isFatal() {
        try (EventRouter router = redeliveringRouter()) {
            Settlement s = new Settlement(router, timer, pool, () -> true, (m, r) -> {
                throw new StackOverflowError("simulated");
            }, Duration.ofMillis(5), Duration.ofMillis(20));

            CompletableFuture<Void> f = s.process(message(), new RecordingLease()).toCompletableFuture();

            assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(Exception.class)
                    .havingRootCause().isInstanceOf(StackOverflowError.class);
            assertThat(Settlement.unwrap(f.handle((v, t) -> t).join()))
                    .isInstanceOf(Settlement.FatalDispatchException.class);
        }
    }

    @Test
    void lostLease_stopsTheFailedLoop_andAbandonsTheRecord() throws Exception {
        java.util.concurrent.CountDownLatch dispatches = new java.util.concurrent.CountDownLatch(3);
        try (EventRouter router = EventRouter.builder().route("Greeting", String.class, (e, c) -> {
            dispatches.countDown();
            throw new io.eventcore.NonRetryableException("poison");
        }).retry(RetryPolicy.none()).build()) { // no sink: FAILED, re-dispatched after back-off
            Settlement s = new Settlement(router, timer, pool, () -> true,
                    (m, r) -> CompletableFuture.completedFuture(null), Duration.ofMillis(5), Duration.ofMillis(20));
            RecordingLease lease = new RecordingLease();
            CompletableFuture<Void> f = s.process(message(), lease).toCompletableFuture();
            assertThat(dispatches.await(10, TimeUnit.SECONDS)).isTrue();

            lease.valid.set(false);

            assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(Exception.class)
                    .withCauseInstanceOf(Settlement.AbandonedException.class); // the loop has ended
        }
    }
}
