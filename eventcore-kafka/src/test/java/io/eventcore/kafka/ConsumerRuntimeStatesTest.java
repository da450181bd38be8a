package io.eventcore.kafka;

import static io.eventcore.kafka.LoopHarness.rec;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.EventHandler;
import io.eventcore.EventHeaders;
import io.eventcore.NonRetryableException;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.ConsumerMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer runtime's states and transitions, driven through a {@link LoopHarness}
 * (MockConsumer): back-pressure, stall, revoke/assign, backward positions, retry due times,
 * fatal errors, close, lag.
 */
class ConsumerRuntimeStatesTest {
    record Order(String id) {
    }

    private final LoopHarness h = new LoopHarness();
    private final TopicPartition p0 = new TopicPartition("orders", 0);
    private final TopicPartition p1 = new TopicPartition("orders", 1);
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
        h.close();
    }

    /** "wait*" records block until {@link #release}; everything else is recorded as handled. */
    private EventRouter waitingRouter() {
        return EventRouter.builder().route(Order.class, (EventHandler<Order>) (e, c) -> {
            if (e.payload().id().startsWith("wait")) {
                release.await();
            }
            handled.add(e.payload().id());
        }).build();
    }

    private static Duration seconds(int s) {
        return Duration.ofSeconds(s);
    }

    @Test
    void maxInFlight_pausesEveryPartition_andCompletionResumesThem() throws Exception {
        h.knobs.maxInFlight = 2;
        h.start(waitingRouter(), List.of(p0, p1));
        h.add(rec(p0, 0, "a", "wait-a"));
        h.add(rec(p0, 1, "b", "wait-b"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.paused().containsAll(List.of(p0, p1)));
        h.add(rec(p1, 0, "c", "c"));
        Awaitility.await().during(300, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS)
                .until(() -> !handled.contains("c"));

        release.countDown();

        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> handled.contains("c") && h.paused().isEmpty());
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.committed(p0) == 2 && h.committed(p1) == 1);
    }

    @Test
    void maxInFlightPerPartition_pausesOnlyThatPartition() throws Exception {
        h.knobs.maxInFlightPerPartition = 1;
        h.start(waitingRouter(), List.of(p0, p1));
        h.add(rec(p0, 0, "a", "wait-a"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.paused().equals(Set.of(p0)));
        h.add(rec(p1, 0, "b", "b"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> handled.contains("b"));
        assertThat(h.paused()).containsExactly(p0);
        release.countDown();
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.paused().isEmpty());
    }

    @Test
    void stuckLowestOffset_reportsStalled_whileLaterRecordsFlow_andRecovers() throws Exception {
        h.knobs.stallTimeout = Duration.ofMillis(300);
        ConsumerRuntime runtime = h.start(waitingRouter(), List.of(p0));
        h.add(rec(p0, 0, "stuck", "wait-0"));
        for (int i = 1; i < 30; i++) {
            h.add(rec(p0, i, "k" + i, "n" + i));
        }
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> handled.contains("n29"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS)
                .until(() -> runtime.health().status() == ConsumerHealth.Status.STALLED);
        assertThat(runtime.health().detail()).contains("orders-0");
        assertThat(h.committed(p0)).isLessThanOrEqualTo(0);

        release.countDown();

        Awaitility.await().atMost(10, TimeUnit.SECONDS)
                .until(() -> runtime.health().status() == ConsumerHealth.Status.UP && h.committed(p0) == 30);
    }

    @Test
    void blockedRecord_isNamedInHealth_withItsCause() throws Exception {
        EventRouter router = EventRouter.builder().route(Order.class, (e, c) -> {
            throw new NonRetryableException("poison");
        }).retry(RetryPolicy.none()).deadLetter(letter -> {
            throw new java.io.IOException("dlq down");
        }).build();
        ConsumerRuntime runtime = h.start(router, List.of(p0));
        h.add(rec(p0, 0, "k", "p"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS)
                .until(() -> runtime.health().detail().contains("orders-0@0"));
        assertThat(runtime.health().detail()).contains("blocked").contains("dlq down");
        assertThat(h.committed(p0)).as("nothing past the blocked record").isLessThanOrEqualTo(0);
    }

    @Test
    void revokeThenReassign_releasesTheOldEpochsSlots_andTheNewAssignmentRuns() throws Exception {
        h.knobs.maxInFlight = 2;
        h.knobs.drainTimeout = Duration.ofMillis(100);
        h.start(waitingRouter(), List.of(p0));
        h.add(rec(p0, 0, "a", "wait-a"));
        h.add(rec(p0, 1, "a", "queued-a"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.paused().contains(p0));

        h.onPollThread(() -> h.consumer.rebalance(List.of()));
        h.onPollThread(() -> {
            h.consumer.rebalance(List.of(p0));
            h.consumer.seek(p0, 0);
            h.consumer.addRecord(rec(p0, 0, "b", "fresh-0"));
            h.consumer.addRecord(rec(p0, 1, "c", "fresh-1"));
        });

        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> handled.containsAll(List.of("fresh-0", "fresh-1")));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.committed(p0) == 2);
        release.countDown();
        Awaitility.await().during(300, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS)
                .until(() -> !handled.contains("queued-a"));
    }

    @Test
    void sameKeyInTwoTopics_isNotSerialised() throws Exception {
        TopicPartition payments = new TopicPartition("payments", 0);
        h.knobs.topics = List.of("orders", "payments");
        h.start(waitingRouter(), List.of(p0, payments));
        h.add(rec(p0, 0, "same-key", "wait-orders"));
        h.add(rec(payments, 0, "same-key", "payment"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> handled.contains("payment"));
        assertThat(handled).doesNotContain("wait-orders");
    }

    @Test
    void backwardPosition_restartsThePartition_insteadOfGoingDown() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        EventRouter router = EventRouter.builder().route(Order.class, (e, c) -> seen.add(e.payload().id())).build();
        ConsumerRuntime runtime = h.start(router, List.of(p0));
        for (int i = 0; i < 3; i++) {
            h.add(rec(p0, i, "k", "first-" + i));
        }
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.committed(p0) == 3);

        h.onPollThread(() -> { // an out-of-range reset after log truncation
            h.consumer.seek(p0, 1);
            h.consumer.addRecord(rec(p0, 1, "k", "again-1"));
            h.consumer.addRecord(rec(p0, 2, "k", "again-2"));
        });

        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> seen.contains("again-2"));
        assertThat(runtime.health().status()).isEqualTo(ConsumerHealth.Status.UP);
        h.add(rec(p0, 3, "k", "after"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> seen.contains("after") && h.committed(p0) == 4);
        assertThat(seen).containsExactly("first-0", "first-1", "first-2", "again-1", "again-2", "after");
    }

    @Test
    void retryTopicRecord_isHeldUntilItsDueTime_withThePartitionPaused() throws Exception {
        TopicPartition retry = new TopicPartition("orders.retry", 0);
        h.knobs.retryTopics = true;
        h.start(waitingRouter(), List.of(p0, retry));
        Instant due = Instant.now().plusMillis(700);
        ConsumerRecord<byte[], byte[]> r = rec(retry, 0, "k", "retried");
        r.headers().add(EventHeaders.DUE_AT, due.toString().getBytes(StandardCharsets.UTF_8));
        h.add(r);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.paused().contains(retry));
        assertThat(handled).doesNotContain("retried");
        h.add(r); // the loop rewound to it; a MockConsumer (unlike a broker) only returns what is added again
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> handled.contains("retried"));
        assertThat(Instant.now()).isAfterOrEqualTo(due);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !h.paused().contains(retry));
    }

    @Test
    void jvmErrorFromTheDeadLetterSink_stopsTheConsumer_down_withoutCommittingIt() throws Exception {
        EventRouter router = EventRouter.builder().route(Order.class, (EventHandler<Order>) (e, c) -> {
            if (e.payload().id().equals("poison")) {
                throw new NonRetryableException("poison");
            }
            handled.add(e.payload().id());
        }).retry(RetryPolicy.none()).deadLetter(letter -> {
            throw new OutOfMemoryError("simulated");
        }).build();
        ConsumerRuntime runtime = h.start(router, List.of(p0));
        h.add(rec(p0, 0, "a", "ok"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.committed(p0) == 1);
        h.add(rec(p0, 1, "b", "poison"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS)
                .until(() -> runtime.health().status() == ConsumerHealth.Status.DOWN);
        assertThat(runtime.health().detail()).contains("OutOfMemoryError");
        assertThat(h.committed(p0)).isEqualTo(1);
    }

    @Test
    void close_interruptsWorkStillRunningAtItsBound_andNeitherCommitsNorDeadLettersIt() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        List<DeadLetter> letters = new CopyOnWriteArrayList<>();
        EventRouter router = EventRouter.builder().route(Order.class, (EventHandler<Order>) (e, c) -> {
            started.countDown();
            try {
                Thread.sleep(30_000); // a healthy but slow handler
            } catch (InterruptedException ie) {
                interrupted.set(true);
                throw ie;
            }
        }).retry(RetryPolicy.none()).deadLetter(letters::add).build();
        h.knobs.drainTimeout = seconds(30);
        ConsumerRuntime runtime = h.start(router, List.of(p0));
        h.add(rec(p0, 0, "k", "slow"));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        long t0 = System.nanoTime();
        runtime.close(Duration.ofMillis(600));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        runtime.close(Duration.ofSeconds(30)); // idempotent: returns at once

        assertThat(tookMs).as("close is one total bound").isLessThan(1_500);
        assertThat(h.consumer.closed()).isTrue();
        assertThat(runtime.health().status()).isEqualTo(ConsumerHealth.Status.STOPPED);
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(interrupted::get);
        Awaitility.await().during(500, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS).until(letters::isEmpty);
        assertThat(h.committed(p0)).as("not committed past the interrupted record").isLessThanOrEqualTo(0);
    }

    @Test
    void close_stopsAFailedLoop_andDrainsOnce() throws Exception {
        AtomicInteger sinkCalls = new AtomicInteger();
        EventRouter router = EventRouter.builder().route(Order.class, (e, c) -> {
            throw new NonRetryableException("poison");
        }).retry(RetryPolicy.none()).deadLetter(letter -> {
            sinkCalls.incrementAndGet();
            throw new java.io.IOException("dlq down");
        }).build();
        h.knobs.drainTimeout = Duration.ofMillis(300);
        ConsumerRuntime runtime = h.start(router, List.of(p0));
        h.add(rec(p0, 0, "k", "p"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> sinkCalls.get() >= 2);

        long t0 = System.nanoTime();
        runtime.close(Duration.ofSeconds(10));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        int atClose = sinkCalls.get();

        assertThat(tookMs).as("one drain of at most drainTimeout, not two").isLessThan(1_000);
        Awaitility.await().during(500, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS)
                .until(() -> sinkCalls.get() <= atClose + 1);
        assertThat(h.committed(p0)).as("not committed past the blocked record").isLessThanOrEqualTo(0);
    }

    @Test
    void lagGauge_isEndOffsetMinusCommitted_perPartition() throws Exception {
        Map<TopicPartition, Long> lag = new ConcurrentHashMap<>();
        Set<TopicPartition> released = ConcurrentHashMap.newKeySet();
        h.knobs.metrics = new ConsumerMetrics() {
            @Override
            public void partitionLag(String group, String topic, int partition, long value) {
                lag.put(new TopicPartition(topic, partition), value);
            }

            @Override
            public void partitionReleased(String group, String topic, int partition) {
                released.add(new TopicPartition(topic, partition));
            }
        };
        h.start(waitingRouter(), List.of(p0));
        h.onPollThread(() -> h.consumer.updateEndOffsets(Map.of(p0, 10L)));
        for (int i = 0; i < 4; i++) {
            h.add(rec(p0, i, "k" + i, "n" + i));
        }
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.committed(p0) == 4);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> Long.valueOf(6).equals(lag.get(p0)));
        h.onPollThread(() -> h.consumer.rebalance(List.of()));
        assertThat(released).contains(p0);
    }
}
