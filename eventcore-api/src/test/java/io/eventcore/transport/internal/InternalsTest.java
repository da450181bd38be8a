package io.eventcore.transport.internal;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.OffsetTracker;
import io.eventcore.transport.internal.Redelivery;
import io.eventcore.internal.EventIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InternalsTest {

    @Test
    void offsetTracker_commitsOnlyContiguousCompletedOffsets() {
        OffsetTracker t = new OffsetTracker();
        assertThat(t.committable()).isEqualTo(-1);
        for (long o = 10; o < 15; o++) {
            t.track(o);
        }
        t.complete(12);
        t.complete(13);
        assertThat(t.committable()).isEqualTo(10);
        t.complete(10);
        assertThat(t.committable()).isEqualTo(11);
        t.complete(11);
        assertThat(t.committable()).isEqualTo(14);
        t.complete(14);
        assertThat(t.committable()).isEqualTo(15);
        assertThatThrownBy(() -> t.track(3)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void offsetTracker_matchesASortedSetModel_withGapsGrowthRepeatsAndUnknownOffsets() {
        java.util.Random random = new java.util.Random(42);
        for (int run = 0; run < 50; run++) {
            OffsetTracker t = new OffsetTracker();
            java.util.TreeSet<Long> model = new java.util.TreeSet<>();
            List<Long> tracked = new ArrayList<>();
            long next = random.nextInt(1000);
            long nextUnseen = -1;
            for (int step = 0; step < 3_000; step++) {
                if (random.nextInt(3) > 0 || tracked.isEmpty()) {
                    next += 1 + (random.nextInt(10) == 0 ? random.nextInt(5) : 0); // gaps: compaction, markers
                    t.track(next);
                    model.add(next);
                    tracked.add(next);
                    nextUnseen = next + 1;
                } else {
                    // Complete a random tracked offset (maybe again), or one never tracked.
                    long offset = random.nextInt(20) == 0 ? next + 7 : tracked.get(random.nextInt(tracked.size()));
                    t.complete(offset);
                    model.remove(offset);
                }
                assertThat(t.committable()).isEqualTo(model.isEmpty() ? nextUnseen : model.first());
                assertThat(t.inFlight()).isEqualTo(model.size());
                assertThat(t.nextUnseen()).isEqualTo(nextUnseen);
            }
        }
    }

    @Test
    void keyedSerialExecutor_keepsPerKeyOrder_underParallelism() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        KeyedSerialExecutor exec = new KeyedSerialExecutor(pool);
        List<List<Integer>> perKey = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            perKey.add(Collections.synchronizedList(new ArrayList<>()));
        }
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            int key = i % 10;
            int seq = i;
            all.add(exec.submit(key, () -> CompletableFuture.runAsync(() -> perKey.get(key).add(seq), pool)));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        pool.shutdown();
        for (List<Integer> seqs : perKey) {
            List<Integer> sorted = new ArrayList<>(seqs);
            sorted.sort(null);
            assertThat(seqs).hasSize(200).isEqualTo(sorted);
        }
        assertThat(exec.activeKeys()).isZero();
    }

    @Test
    void redeliveryHeaders_replaceAttemptCounters() {
        InboundMessage m = InboundMessage.builder("t").header("a", "1").header(EventHeaders.ATTEMPT, "2")
                .header(EventHeaders.FIRST_FAILURE_AT, "2026-01-01T00:00:00Z")
                .header(EventHeaders.EVENT_TYPE, "X").value("\"s\"").build();
        try (EventRouter router = EventRouter.builder().route("X", String.class, (e, c) -> {
            throw new IllegalStateException("later");
        }).retry(RetryPolicy.fixed(Duration.ofSeconds(5)).maxAttempts(5).mode(RetryMode.REDELIVER)).build()) {
            DispatchResult r = router.dispatch(m).toCompletableFuture().join();
            assertThat(r.outcome()).isEqualTo(DispatchOutcome.RETRY_LATER);
            assertThat(r.attempts()).isEqualTo(2);
            InboundMessage.Builder b = InboundMessage.builder("t");
            Redelivery.headers(m, r, Instant.parse("2026-01-02T00:00:00Z")).forEach(b::header);
            InboundMessage redelivered = b.build();
            assertThat(redelivered.header("a")).isEqualTo("1");
            assertThat(redelivered.header(EventHeaders.ATTEMPT)).isEqualTo("3");
            assertThat(redelivered.header(EventHeaders.FIRST_FAILURE_AT)).isEqualTo("2026-01-01T00:00:00Z");
            assertThat(redelivered.header(EventHeaders.DUE_AT)).isEqualTo("2026-01-02T00:00:05Z");
            assertThat(redelivered.headers().stream().filter(h -> h.key().equals(EventHeaders.ATTEMPT))).hasSize(1);
        }
    }

    @Test
    void redeliveryHeaders_keepTheDerivedEventId_andTheOriginalPosition() {
        InboundMessage m = InboundMessage.builder("orders").partition(2).offset(41)
                .header(EventHeaders.EVENT_TYPE, "X").value("\"s\"").build();
        try (EventRouter router = EventRouter.builder().route("X", String.class, (e, c) -> {
            throw new IllegalStateException("later");
        }).retry(RetryPolicy.fixed(Duration.ofSeconds(5)).maxAttempts(5).mode(RetryMode.REDELIVER)).build()) {
            DispatchResult r = router.dispatch(m).toCompletableFuture().join();
            InboundMessage.Builder b = InboundMessage.builder("orders.g.retry").partition(0).offset(7);
            Redelivery.headers(m, r, Instant.parse("2026-01-02T00:00:00Z")).forEach(b::header);
            InboundMessage copy = b.build();
            assertThat(copy.header(EventHeaders.EVENT_ID)).isEqualTo(EventIds.of(m));
            assertThat(EventIds.of(copy)).isEqualTo(EventIds.of(m));
            assertThat(copy.header(EventHeaders.ORIGINAL_TOPIC)).isEqualTo("orders");
            assertThat(copy.header(EventHeaders.ORIGINAL_PARTITION)).isEqualTo("2");
            assertThat(copy.header(EventHeaders.ORIGINAL_OFFSET)).isEqualTo("41");
        }
    }
}
