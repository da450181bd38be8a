package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.EventHandler;
import io.eventcore.EventHeaders;
import io.eventcore.NonRetryableException;
import io.eventcore.codec.EventCodec;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.Settlement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reproductions of defects in PollLoop / Settlement behaviour with a MockConsumer. */
class PollLoopDefectsTest {
    record Order(String id) {
    }

    /** MockConsumer.poll never blocks; sleep a little so the loop does not spin. */
    static final class PacedMockConsumer extends MockConsumer<byte[], byte[]> {
        PacedMockConsumer() {
            super("earliest");
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.poll(timeout);
        }
    }

    private final PacedMockConsumer consumer = new PacedMockConsumer();
    private final ExecutorService workers = Executors.newFixedThreadPool(4);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "consumer-timer"));
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private PollLoop loop;
    private Thread pollThread;

    @AfterEach
    void tearDown() throws Exception {
        if (loop != null) {
            loop.stop();
            pollThread.join(10_000);
        }
        workers.shutdownNow();
        timer.shutdownNow();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private void start(EventRouter router, Ordering ordering, Duration drainTimeout, Duration stallTimeout,
            List<TopicPartition> partitions) {
        start(router, ordering, drainTimeout, stallTimeout, partitions, 10_000);
    }

    private void start(EventRouter router, Ordering ordering, Duration drainTimeout, Duration stallTimeout,
            List<TopicPartition> partitions, int maxInFlight) {
        closeables.add(router);
        ConsumerSettings settings = new ConsumerSettings("g", List.of("orders"), null,
                ordering, Duration.ofMillis(10), Duration.ofMillis(50), drainTimeout, stallTimeout, maxInFlight,
                2_000, Map.of(), 4, Duration.ofMillis(10), Duration.ofMillis(50));
        RetryTopicRedeliverer redeliverer = new RetryTopicRedeliverer(
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()), Map.of());
        loop = new PollLoop(consumer, settings, new KeyedSerialExecutor(workers),
                new Settlement(router, timer, workers, () -> true, redeliverer, Duration.ofMillis(10),
                        Duration.ofMillis(50)));
        consumer.schedulePollTask(() -> {
            Map<TopicPartition, Long> begin = new java.util.HashMap<>();
            partitions.forEach(tp -> begin.put(tp, 0L));
            consumer.updateBeginningOffsets(begin);
            consumer.rebalance(partitions);
        });
        pollThread = new Thread(loop, "poll");
        pollThread.start();
    }

    private static ConsumerRecord<byte[], byte[]> rec(TopicPartition tp, long offset, String key, String id) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(tp.topic(), tp.partition(), offset,
                key.getBytes(StandardCharsets.UTF_8), ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventHeaders.EVENT_TYPE, "Order".getBytes(StandardCharsets.UTF_8));
        return r;
    }

    private void add(ConsumerRecord<byte[], byte[]> r) {
        consumer.schedulePollTask(() -> consumer.addRecord(r));
    }

    private long committed(TopicPartition tp) {
        OffsetAndMetadata om = consumer.committed(Set.of(tp)).get(tp);
        return om == null ? -1 : om.offset();
    }

    /** Runs on the poll thread, between polls; returns once done. */
    private void onPollThread(Runnable r) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        consumer.schedulePollTask(() -> {
            try {
                r.run();
            } finally {
                done.countDown();
            }
        });
        assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    }

    /** A JSON codec that throws a RuntimeException (not a DecodeException) when told to. */
    private static EventCodec flakyCodec(java.util.function.Predicate<String> failNow) {
        EventCodec json = EventCodec.json();
        return new EventCodec() {
            @Override
            public <T> T decode(byte[] bytes, Class<T> type, String eventType) {
                if (failNow.test(new String(bytes, StandardCharsets.UTF_8))) {
                    throw new IllegalStateException("schema registry unavailable");
                }
                return json.decode(bytes, type, eventType);
            }

            @Override
            public byte[] encode(Object payload) {
                return json.encode(payload);
            }
        };
    }

    /**
     * A RuntimeException escaping router.dispatch (here: a codec whose backing service hiccups once) is
     * turned into ABANDONED: the offset is never completed, never retried, never dead-lettered, nothing is
     * logged, and the partition's commit position is frozen for good while later records keep flowing.
     */
    @Test
    void exceptionEscapingDispatch_isSilentlyAbandoned_andFreezesTheCommit() throws Exception {
        TopicPartition tp = new TopicPartition("orders", 0);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicBoolean failedOnce = new AtomicBoolean();
        EventRouter router = EventRouter.builder()
                .codec(flakyCodec(json -> json.contains("boom") && failedOnce.compareAndSet(false, true)))
                .route(Order.class, (e, c) -> handled.add(e.payload().id()))
                .deadLetter(letter -> handled.add("DLQ:" + letter.offset()))
                .build();
        start(router, Ordering.KEY, Duration.ofSeconds(1), Duration.ofMillis(500), List.of(tp));
        add(rec(tp, 0, "k0", "a"));
        add(rec(tp, 1, "k1", "boom"));
        add(rec(tp, 2, "k2", "c"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> handled.contains("c"));
        // keep traffic flowing for longer than the stall timeout
        boolean everStalledWhileBusy = false;
        for (int i = 3; i < 40; i++) {
            add(rec(tp, i, "k" + i, "n" + i));
            Thread.sleep(50);
            if (i > 15 && !loop.stalled().isEmpty()) {
                everStalledWhileBusy = true;
            }
        }
        System.out.printf("abandoned: stalled() ever non-empty while traffic flowed: %s (commit frozen at %d)%n",
                everStalledWhileBusy, committed(tp));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> handled.contains("n39"));
        Thread.sleep(500);
        System.out.printf("abandoned: handled boom=%s, committed=%d, stalled()=%s%n",
                handled.contains("boom") || handled.contains("DLQ:1"), committed(tp), loop.stalled());
        assertThat(handled).as("offset 1 must eventually be handled or dead-lettered")
                .containsAnyOf("boom", "DLQ:1");
        assertThat(committed(tp)).isEqualTo(40);
    }

    /**
     * A FAILED record (no sink configured) blocks its partition and is re-dispatched after a back-off.
     * If that re-dispatch throws (same flaky codec), the stage fails, UNBLOCKED is never posted, and the
     * partition stays paused forever: later records are never fetched.
     */
    @Test
    void failedRecordWhoseRetryThrows_leavesThePartitionPausedForever() throws Exception {
        TopicPartition tp = new TopicPartition("orders", 0);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger handlerCalls = new AtomicInteger();
        AtomicInteger decodesOfX = new AtomicInteger();
        EventRouter router = EventRouter.builder()
                .codec(flakyCodec(json -> json.contains("\"x\"") && decodesOfX.incrementAndGet() == 2))
                .route(Order.class, (e, c) -> {
                    if (e.payload().id().equals("x") && handlerCalls.incrementAndGet() == 1) {
                        throw new NonRetryableException("downstream said no (once)");
                    }
                    handled.add(e.payload().id());
                })
                .retry(RetryPolicy.none())
                .build(); // no dead-letter sink: FAILED, blocked, re-dispatched with back-off
        start(router, Ordering.KEY, Duration.ofSeconds(1), Duration.ofMinutes(1), List.of(tp));
        add(rec(tp, 0, "k1", "x"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> decodesOfX.get() >= 2);
        add(rec(tp, 1, "k2", "y"));
        Thread.sleep(3_000);
        System.out.printf("paused forever: handled=%s, decodes of x=%d, paused=%s, committed=%d%n", handled,
                decodesOfX.get(), consumer.paused(), committed(tp));
        assertThat(handled).as("x is retried once more and succeeds; y is fetched and handled")
                .contains("x", "y");
    }

    /**
     * KEY mode: records of a revoked partition that were still queued behind a slow record of their key are
     * run anyway after the revocation, although the partition now belongs to someone else (who redelivers
     * them). Their handlers run concurrently with the new owner's handling of the same key.
     */
    @Test
    void queuedRecordsOfARevokedPartition_stillRunAfterTheRevocation() throws Exception {
        TopicPartition tp = new TopicPartition("orders", 0);
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicBoolean revoked = new AtomicBoolean();
        List<String> handledAfterRevoke = new CopyOnWriteArrayList<>();
        EventRouter router = EventRouter.builder().route(Order.class, (EventHandler<Order>) (e, c) -> {
            if (e.payload().id().equals("r0")) {
                firstStarted.countDown();
                releaseFirst.await(10, TimeUnit.SECONDS);
            } else if (revoked.get()) {
                handledAfterRevoke.add(e.payload().id());
            }
        }).build();
        start(router, Ordering.KEY, Duration.ofMillis(300), Duration.ofMinutes(1), List.of(tp));
        add(rec(tp, 0, "k", "r0"));
        add(rec(tp, 1, "k", "r1"));
        add(rec(tp, 2, "k", "r2"));
        assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200); // r1 and r2 are queued behind r0 now
        onPollThread(() -> {
            consumer.rebalance(List.of()); // revoke: drain times out after 300 ms
            revoked.set(true);
        });
        releaseFirst.countDown();
        Thread.sleep(1_000);
        System.out.printf("stale work: handled after revoke=%s, committed=%d%n", handledAfterRevoke,
                committed(tp));
        assertThat(handledAfterRevoke).as("work of a partition we no longer own must not start").isEmpty();
    }

    /**
     * A record blocked in the FAILED loop (DLQ down) keeps being retried on this consumer after its
     * partition was revoked and handed to another member, which retries it too.
     */
    @Test
    void failedLoopOfARevokedPartition_keepsRunningForever() throws Exception {
        TopicPartition tp = new TopicPartition("orders", 0);
        AtomicInteger sinkCalls = new AtomicInteger();
        DeadLetterSink down = letter -> {
            sinkCalls.incrementAndGet();
            throw new java.io.IOException("dlq down");
        };
        EventRouter router = EventRouter.builder().route(Order.class, (e, c) -> {
            throw new NonRetryableException("poison");
        }).retry(RetryPolicy.none()).deadLetter(down).build();
        start(router, Ordering.KEY, Duration.ofMillis(200), Duration.ofMinutes(1), List.of(tp));
        add(rec(tp, 0, "k", "p"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> sinkCalls.get() >= 3);
        onPollThread(() -> consumer.rebalance(List.of()));
        Thread.sleep(200);
        int atRevoke = sinkCalls.get();
        Thread.sleep(2_000);
        System.out.printf("stale FAILED loop: sink calls at revoke=%d, 2 s later=%d%n", atRevoke,
                sinkCalls.get());
        assertThat(sinkCalls.get()).as("no more DLQ writes for a partition we no longer own")
                .isLessThanOrEqualTo(atRevoke + 1);
    }

    /**
     * The global in-flight counter is released only when a revoked partition's work finishes. A record that
     * FAILs for good (no sink: "partition blocked", as documented) keeps its slot after its partition was
     * revoked, and so do the records queued behind it on its key. Each revoke/re-assign of that partition
     * adds more, until maxInFlight is reached and every partition is paused.
     */
    @Test
    void revokedBlockedPartition_keepsGlobalInFlightSlots_untilEveryPartitionIsPaused() throws Exception {
        TopicPartition p0 = new TopicPartition("orders", 0);
        TopicPartition p1 = new TopicPartition("orders", 1);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger poisonCalls = new AtomicInteger();
        EventRouter router = EventRouter.builder().route(Order.class, (e, c) -> {
            if (e.payload().id().equals("poison")) {
                poisonCalls.incrementAndGet();
                throw new NonRetryableException("poison");
            }
            handled.add(e.payload().id());
        }).retry(RetryPolicy.none()).build(); // no sink: FAILED, partition blocked (documented)
        start(router, Ordering.KEY, Duration.ofMillis(200), Duration.ofMinutes(1), List.of(p0, p1), 3);
        add(rec(p0, 0, "k", "poison"));
        add(rec(p0, 1, "k", "queued-behind-poison"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> poisonCalls.get() >= 2);
        add(rec(p1, 0, "other", "p1-before"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> handled.contains("p1-before"));
        // a rebalance takes p0 away (drain times out, offset 0 committed) and a later one gives it back
        onPollThread(() -> consumer.rebalance(List.of(p1)));
        onPollThread(() -> {
            consumer.rebalance(List.of(p0, p1));
            consumer.addRecord(rec(p0, 0, "k", "poison"));
            consumer.addRecord(rec(p0, 1, "k", "queued-behind-poison"));
        });
        Thread.sleep(500);
        add(rec(p1, 1, "other", "p1-after"));
        Thread.sleep(3_000);
        System.out.printf("global in-flight leak: p1-before handled=%s, p1-after handled=%s, paused=%s%n",
                handled.contains("p1-before"), handled.contains("p1-after"), consumer.paused());
        assertThat(handled).as("p1 has nothing to do with p0's poison record").contains("p1-after");
    }

    /**
     * FAILED retries (DLQ re-writes, re-dispatches) run on the consumer's single timer thread. A DLQ write
     * that blocks (KafkaDeadLetterSink waits up to sendTimeout, 30 s by default) delays every other
     * partition's retry.
     */
    @Test
    void blockingDlqRetryOfOnePartition_delaysTheRetriesOfAllOthers() throws Exception {
        TopicPartition p0 = new TopicPartition("orders", 0);
        TopicPartition p1 = new TopicPartition("orders", 1);
        Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
        Map<Integer, List<Long>> callTimes = new ConcurrentHashMap<>();
        List<String> retryThreads = new CopyOnWriteArrayList<>();
        CountDownLatch p0SecondCall = new CountDownLatch(1);
        DeadLetterSink sink = letter -> {
            int p = letter.partition();
            int n = calls.computeIfAbsent(p, k -> new AtomicInteger()).incrementAndGet();
            callTimes.computeIfAbsent(p, k -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
            if (n == 1) {
                throw new java.io.IOException("dlq down");
            }
            retryThreads.add(p + ":" + Thread.currentThread().getName());
            if (p == 0) {
                p0SecondCall.countDown();
                Thread.sleep(2_000); // a slow broker acknowledgement
            }
        };
        EventRouter router = EventRouter.builder().route(Order.class, (e, c) -> {
            throw new NonRetryableException("poison");
        }).retry(RetryPolicy.none()).deadLetter(sink).build();
        start(router, Ordering.KEY, Duration.ofSeconds(1), Duration.ofMinutes(1), List.of(p0, p1));
        add(rec(p0, 0, "a", "a"));
        assertThat(p0SecondCall.await(10, TimeUnit.SECONDS)).isTrue();
        add(rec(p1, 0, "b", "b"));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> calls.containsKey(1) && calls.get(1).get() >= 2);
        long gapMs = (callTimes.get(1).get(1) - callTimes.get(1).get(0)) / 1_000_000;
        System.out.printf("timer HOL: p1 retry came %d ms after its failure (back-off 10 ms); threads=%s%n",
                gapMs, retryThreads);
        assertThat(gapMs).as("p1's retry must not wait for p0's slow DLQ write").isLessThan(500);
    }
}
