package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.NonRetryableException;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.ConsumerMetrics;
import io.eventcore.transport.Ordering;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Review of the consumer's exactly-once mode (consume &rarr; produce) on a {@link MockConsumer}-driven
 * {@link ConsumerRuntime}: the handlers publish through a joined {@link KafkaEventPublisher} whose own producer is a
 * {@link MockProducer} ({@link #direct}: anything there was sent outside the consumer's transactions), and the
 * consumer's transactional producers are {@link MockProducer}s too ({@link #committedOutput()}: what a
 * {@code read_committed} reader sees). Each test's comment describes the defect as the review found it; all are
 * fixed (scopes kept as tombstones until a record's work ends, attempts failed by the retry stage, dead-letter
 * retries as attempts of their message, timed-out commits retried, per-partition commits after a failure,
 * unrecoverable producer errors stop the consumer).
 */
class ExactlyOnceReviewTest {
    record Order(String id) {
    }

    record Shipment(String orderId) {
    }

    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private final LoopHarness.PacedMockConsumer consumer = new LoopHarness.PacedMockConsumer();
    private final ExecutorService workers = Executors.newFixedThreadPool(4);
    /** The joined publisher's own producer: what lands here was sent outside any transaction. */
    private final MockProducer<byte[], byte[]> direct = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final KafkaEventPublisher publisher = KafkaEventPublisher.builder().producer(direct).topic("shipments")
            .build();
    /** The consumer's transactional producers, in the order it made them. */
    private final List<MockProducer<byte[], byte[]>> txProducers = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private ConsumerRuntime runtime;

    @AfterEach
    void tearDown() throws Exception {
        if (runtime != null) {
            runtime.close(Duration.ofSeconds(5));
        }
        workers.shutdownNow();
        publisher.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private static MockProducer<byte[], byte[]> mockProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void start(EventRouter router, Duration drainTimeout, Supplier<MockProducer<byte[], byte[]>> txFactory) {
        start(router, drainTimeout, txFactory, List.of(TP));
    }

    private void start(EventRouter router, Duration drainTimeout, Supplier<MockProducer<byte[], byte[]>> txFactory,
            List<TopicPartition> partitions) {
        closeables.add(router);
        ConsumerSettings settings = new ConsumerSettings("g", List.of("orders"), null, Ordering.KEY,
                Duration.ofMillis(10), Duration.ofMillis(50), drainTimeout, Duration.ofMinutes(1), 10_000, 2_000,
                Map.of(), 4, Duration.ofMillis(10), Duration.ofMillis(50));
        ConsumerRuntime.ExactlyOnce eos = new ConsumerRuntime.ExactlyOnce(List.of(publisher), () -> {
            MockProducer<byte[], byte[]> p = txFactory.get();
            txProducers.add(p);
            return p;
        });
        runtime = new ConsumerRuntime(settings, router, workers, consumer, mockProducer(), ConsumerMetrics.noop(),
                eos);
        consumer.schedulePollTask(() -> {
            Map<TopicPartition, Long> begin = new HashMap<>();
            partitions.forEach(tp -> begin.put(tp, 0L));
            consumer.updateBeginningOffsets(begin);
            consumer.rebalance(partitions);
        });
        runtime.start();
    }

    private void add(long offset, String key, String id) {
        consumer.schedulePollTask(() -> consumer.addRecord(LoopHarness.rec(TP, offset, key, id)));
    }

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

    private void ship(Event<Order> e) {
        publisher.publish(Event.of("Shipment", e.key(), new Shipment(e.payload().id()))).toCompletableFuture().join();
    }

    /** What the transactional producers committed (a read_committed reader's view). */
    private List<ProducerRecord<byte[], byte[]>> committedOutput() {
        List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>();
        txProducers.forEach(p -> all.addAll(p.history()));
        return all;
    }

    /** The highest offset of {@link #TP} committed in a transaction, or -1. */
    private long committedOffset() {
        return committedOffset(TP);
    }

    private long committedOffset(TopicPartition tp) {
        long max = -1;
        for (MockProducer<byte[], byte[]> p : txProducers) {
            for (Map<String, Map<TopicPartition, OffsetAndMetadata>> byGroup : p.consumerGroupOffsetsHistory()) {
                for (Map<TopicPartition, OffsetAndMetadata> offsets : byGroup.values()) {
                    OffsetAndMetadata om = offsets.get(tp);
                    if (om != null) {
                        max = Math.max(max, om.offset());
                    }
                }
            }
        }
        return max;
    }

    private static List<String> values(List<ProducerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    /** Sanity check of the fixture (passes): every record's output once, in a transaction, nothing direct. */
    @Test
    void baseline_eachOutputOnceInATransaction() {
        EventRouter router = EventRouter.builder().route(Order.class, (e, ctx) -> ship(e)).build();
        start(router, Duration.ofSeconds(1), ExactlyOnceReviewTest::mockProducer);
        for (int i = 0; i < 5; i++) {
            add(i, "k" + i, "o" + i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> committedOffset() == 5);
        assertThat(committedOutput()).hasSize(5);
        assertThat(direct.history()).isEmpty();
    }

    /**
     * Defect: a handler of a revoked partition that publishes after the revocation (its drain timed out) is not
     * held and not refused: {@link ConsumerTransactions#discard} removed its scope, so
     * {@code Joined.capture} finds none and the publisher sends it at once, outside any transaction, while the
     * record's offset was never committed (the new owner handles it again: a duplicate for read_committed readers).
     */
    @Test
    void revokedPartition_handlerStillRunning_itsLateOutputIsRefused_neverSentOutsideATransaction() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch published = new CountDownLatch(1);
        EventRouter router = EventRouter.builder().route(Order.class, (e, ctx) -> {
            started.countDown();
            release.await(10, TimeUnit.SECONDS);
            try {
                ship(e);
            } finally {
                published.countDown();
            }
        }).build();
        start(router, Duration.ofMillis(200), ExactlyOnceReviewTest::mockProducer);
        add(0, "k", "o0");
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        onPollThread(() -> consumer.rebalance(List.of())); // revoke; the drain gives up after 200 ms
        release.countDown();
        assertThat(published.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);
        assertThat(committedOffset()).as("offset 0 was never committed past by this consumer").isLessThanOrEqualTo(0);
        assertThat(values(direct.history()))
                .as("a revoked partition's in-flight work must not send output outside the transaction")
                .isEmpty();
    }

    /**
     * Defect, the same at close: a handler still running when {@code close(timeout)} gives up on it (interrupted,
     * but it does not stop at once) publishes after {@code ConsumerTransactions.close()} removed the consumer from
     * the publisher's {@code Joined} hosts (and after shutdown retired every partition, discarding the scopes): the
     * output is sent directly, outside any transaction, although the record was never committed.
     */
    @Test
    void closeWhileAHandlerRuns_itsLateOutputIsRefused_neverSentOutsideATransaction() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch published = new CountDownLatch(1);
        EventRouter router = EventRouter.builder().route(Order.class, (e, ctx) -> {
            started.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (release.getCount() > 0 && System.nanoTime() < until) {
                try {
                    release.await(10, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ignored) {
                    // a handler finishing its step despite the interrupt (a blocking client call, say)
                }
            }
            try {
                ship(e);
            } finally {
                published.countDown();
            }
        }).build();
        start(router, Duration.ofMillis(200), ExactlyOnceReviewTest::mockProducer);
        add(0, "k", "o0");
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        runtime.close(Duration.ofMillis(500));
        release.countDown();
        assertThat(published.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(committedOffset()).as("offset 0 was never committed past").isLessThanOrEqualTo(0);
        assertThat(values(direct.history())).as("no output outside the transaction after close").isEmpty();
    }

    /**
     * Defect: an async attempt that timed out is a failed attempt, but {@code HandlerStage} marks it failed only
     * when the handler's own stage completes exceptionally; a stage that never completes (or completes late, even
     * successfully) leaves it "not failed", so what it published before returning is committed next to the output
     * of the retry that succeeded.
     */
    @Test
    void timedOutAsyncAttempt_itsOutputIsDropped_onlyTheRetrysIsCommitted() {
        AtomicBoolean first = new AtomicBoolean(true);
        EventRouter router = EventRouter.builder().routeAsync("Order", Order.class, (e, ctx) -> {
            ship(e);
            return first.getAndSet(false) ? new CompletableFuture<Void>() // hangs: times out
                    : CompletableFuture.completedFuture(null);
        }, o -> o.timeout(Duration.ofMillis(100)).retry(RetryPolicy.fixed(Duration.ofMillis(10)).maxAttempts(3)))
                .build();
        start(router, Duration.ofSeconds(1), ExactlyOnceReviewTest::mockProducer);
        add(0, "k", "o0");
        await().atMost(Duration.ofSeconds(10)).until(() -> committedOffset() == 1);
        assertThat(values(committedOutput())).as("only the successful attempt's shipment").hasSize(1);
    }

    /**
     * Defect: user middleware runs once per attempt inside retry. When it fails the attempt after the handler
     * succeeded (an audit write after {@code chain.proceed}, say), the retry stage runs the handler again, but the
     * first handler call's {@code HandlerAttempt} was never marked failed, so both calls' output is committed.
     */
    @Test
    void attemptFailedByMiddlewareAfterTheHandler_itsOutputIsDropped() {
        AtomicBoolean auditDown = new AtomicBoolean(true);
        EventRouter router = EventRouter.builder().route(Order.class, (e, ctx) -> ship(e))
                .middleware((event, ctx, chain) -> chain.proceed(event, ctx).thenCompose(v -> auditDown.getAndSet(false)
                        ? CompletableFuture.<Void>failedFuture(new IllegalStateException("audit store down"))
                        : CompletableFuture.<Void>completedFuture(null)))
                .retry(RetryPolicy.fixed(Duration.ofMillis(10)).maxAttempts(3)).build();
        start(router, Duration.ofSeconds(1), ExactlyOnceReviewTest::mockProducer);
        add(0, "k", "o0");
        await().atMost(Duration.ofSeconds(10)).until(() -> committedOffset() == 1);
        assertThat(values(committedOutput())).as("one shipment: the failed attempt's output is dropped").hasSize(1);
    }

    /**
     * Defect: a dead-letter write that fails after it published through a joined output (a user sink that writes
     * the letter, then an audit record that fails) keeps its held output (the attempt {@code DeadLetterStage}
     * enters is never marked failed), and {@code Settlement} then calls {@code router.retryDeadLetter}, which
     * writes without a {@code HandlerAttempt}: the retried letter is sent directly, outside the transaction. The
     * letter appears twice, once not atomically with the offset.
     */
    @Test
    void failedDeadLetterWrite_retriedInsideTheTransaction_andTheFailedCopyDropped() throws Exception {
        AtomicBoolean auditDown = new AtomicBoolean(true);
        DeadLetterSink sink = letter -> {
            publisher.publish(Event.of("DeadOrder", letter.eventId(), new Order(letter.eventId())))
                    .toCompletableFuture().join();
            if (auditDown.getAndSet(false)) {
                throw new java.io.IOException("audit store down");
            }
        };
        EventRouter router = EventRouter.builder().route(Order.class, (e, ctx) -> {
            throw new NonRetryableException("poison");
        }).retry(RetryPolicy.none()).deadLetter(sink).build();
        start(router, Duration.ofSeconds(1), ExactlyOnceReviewTest::mockProducer);
        add(0, "k", "o0");
        await().atMost(Duration.ofSeconds(10)).until(() -> committedOffset() == 1);
        Thread.sleep(300);
        assertThat(values(direct.history())).as("no dead letter written outside the transaction (and %d committed)",
                committedOutput().size()).isEmpty();
        assertThat(values(committedOutput())).as("one dead letter").hasSize(1);
    }

    /**
     * Defect: a middleware may pass its own {@link EventContext} (with an enriched copy of the message) to
     * {@code chain.proceed}. {@code HandlerStage} enters {@code context.message()}, not the exchange's message, so
     * the scope lookup (by message identity) misses and the handler's output is sent directly, outside the
     * transaction, while the record is held and committed with nothing.
     */
    @Test
    void middlewarePassingAnEnrichedContext_handlerOutputStillHeld() {
        EventRouter router = EventRouter.builder().route(Order.class, (e, ctx) -> ship(e))
                .middleware((event, ctx, chain) -> chain.proceed(event, new EventContext(
                        ctx.message().toBuilder().header("tenant", "t1").build(), ctx.eventType(), ctx.handlerName(),
                        ctx.attempt())))
                .build();
        start(router, Duration.ofSeconds(1), ExactlyOnceReviewTest::mockProducer);
        add(0, "k", "o0");
        await().atMost(Duration.ofSeconds(10)).until(() -> committedOffset() == 1);
        assertThat(values(direct.history())).as("nothing sent outside the transaction").isEmpty();
        assertThat(values(committedOutput())).as("the shipment committed with the offset").hasSize(1);
    }

    /**
     * A transactional producer behaving as {@code KafkaProducer} does when {@code commitTransaction} exceeds
     * {@code max.block.ms} (the coordinator slow, a broker bouncing): it throws a (retriable)
     * {@link TimeoutException}; the outcome is unknown, and until {@code commitTransaction} is called again every
     * other transactional call throws {@link IllegalStateException} ("Cannot attempt operation `abortTransaction`
     * because the previous call to `commitTransaction` timed out and must be retried", from
     * {@code TransactionManager.handleCachedTransactionRequestResult} / {@code throwIfPendingState}).
     */
    static final class CommitTimesOutOnce extends MockProducer<byte[], byte[]> {
        private boolean timedOut;
        private volatile boolean pending;

        CommitTimesOutOnce() {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public void commitTransaction() {
            if (!timedOut) {
                timedOut = true;
                pending = true;
                throw new TimeoutException("Timeout expired after 60000ms while awaiting EndTxn(true)");
            }
            pending = false;
            super.commitTransaction();
        }

        @Override
        public void abortTransaction() {
            failIfPending("abortTransaction");
            super.abortTransaction();
        }

        @Override
        public void beginTransaction() {
            failIfPending("beginTransaction");
            super.beginTransaction();
        }

        private void failIfPending(String operation) {
            if (pending) {
                throw new IllegalStateException("TransactionalId tx: Cannot attempt operation `" + operation
                        + "` because the previous call to `commitTransaction` timed out and must be retried");
            }
        }
    }

    /**
     * Defect: a commit whose {@code commitTransaction} times out is "failed" in {@code ConsumerTransactions}:
     * it calls {@code abortTransaction}, which throws {@link IllegalStateException} (not a {@code KafkaException},
     * so not caught), and that escapes {@code commit} into the poll loop, which dies: the consumer is DOWN after
     * one transient timeout, and nothing is committed any more.
     */
    @Test
    void commitTransactionTimeout_isRetried_theConsumerKeepsRunning() {
        EventRouter router = EventRouter.builder().route(Order.class, (e, ctx) -> ship(e)).build();
        start(router, Duration.ofSeconds(1), CommitTimesOutOnce::new);
        add(0, "k", "o0");
        add(1, "k", "o1");
        await().atMost(Duration.ofSeconds(10)).until(() -> !txProducers.isEmpty()
                && ((CommitTimesOutOnce) txProducers.get(0)).timedOut);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> runtime.health().status() != ConsumerHealth.Status.STOPPED);
        assertThat(runtime.health().status()).as("a commit timeout is retried, not fatal: %s", runtime.health())
                .isEqualTo(ConsumerHealth.Status.UP);
        await().atMost(Duration.ofSeconds(5)).until(() -> committedOffset() == 2);
        assertThat(values(committedOutput())).hasSize(2);
    }

    /**
     * A transactional producer as {@code KafkaProducer} behaves when the broker refuses one record of a
     * transaction for good (record too large, invalid topic, topic not authorized): the send fails, the
     * transaction enters the abortable error state and {@code commitTransaction} throws "Cannot execute
     * transactional method because we are in an error state" (see its javadoc); after {@code abortTransaction} the
     * producer is usable again.
     */
    static final class RefusesBigRecords extends MockProducer<byte[], byte[]> {
        private volatile RuntimeException abortable;

        RefusesBigRecords() {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                ProducerRecord<byte[], byte[]> record, org.apache.kafka.clients.producer.Callback callback) {
            if (new String(record.value(), StandardCharsets.UTF_8).contains("big")) {
                RuntimeException e = new org.apache.kafka.common.errors.RecordTooLargeException(
                        "The message is 2000000 bytes when serialized which is larger than 1048576");
                abortable = e;
                if (callback != null) {
                    callback.onCompletion(null, e);
                }
                return CompletableFuture.failedFuture(e);
            }
            return super.send(record, callback);
        }

        @Override
        public void commitTransaction() {
            if (abortable != null) {
                throw new org.apache.kafka.common.KafkaException(
                        "Cannot execute transactional method because we are in an error state", abortable);
            }
            super.commitTransaction();
        }

        @Override
        public void abortTransaction() {
            abortable = null;
            super.abortTransaction();
        }
    }

    /**
     * Defect (stall): in a non-exactly-once consumer a publish the broker refuses fails the handler (retry, then
     * dead letter). Held, it "succeeds" at once and fails only inside the consumer's transaction, which is retried
     * with the same held record every commit interval, for ever: no offset of any partition commits again, every
     * later record's output piles up in memory, and health stays UP.
     */
    @Test
    void outputTheBrokerRefuses_holdsBackOnlyItsPartition() throws Exception {
        TopicPartition p1 = new TopicPartition("orders", 1);
        EventRouter router = EventRouter.builder().route(Order.class, (e, ctx) -> ship(e)).build();
        start(router, Duration.ofSeconds(1), RefusesBigRecords::new, List.of(TP, p1));
        add(0, "k", "big"); // its shipment is refused by the broker
        for (int i = 0; i < 3; i++) {
            long offset = i;
            consumer.schedulePollTask(() -> consumer.addRecord(LoopHarness.rec(p1, offset, "j" + offset, "o" + offset)));
        }
        Thread.sleep(2_000); // some 40 commit intervals
        long p1Committed = committedOffset(p1);
        ConsumerHealth health = runtime.health();
        assertThat(p1Committed == 3 || health.status() != ConsumerHealth.Status.UP)
                .as("after 2 s of failing commits: p1 committed up to %d (of 3), health %s", p1Committed, health)
                .isTrue();
    }

    /**
     * Defect (stall, memory): a fatal producer error (here {@code initTransactions} refused: no ACL for the
     * transactional id; likewise a cluster that cannot host transactions, which the consumer's build does not
     * check) fails every commit; the consumer keeps consuming and holding every record's output in memory, health
     * UP.
     */
    @Test
    void unrecoverableProducerError_stopsTheConsumer_healthNotUp() throws Exception {
        EventRouter router = EventRouter.builder().route(Order.class, (e, ctx) -> ship(e)).build();
        start(router, Duration.ofSeconds(1), () -> {
            MockProducer<byte[], byte[]> p = mockProducer();
            p.initTransactionException = new org.apache.kafka.common.errors.TransactionalIdAuthorizationException(
                    "Transactional Id authorization failed.");
            return p;
        });
        for (int i = 0; i < 200; i++) {
            add(i, "k" + i, "o" + i);
        }
        Thread.sleep(2_000);
        java.lang.reflect.Field f = ConsumerRuntime.class.getDeclaredField("transactions");
        f.setAccessible(true);
        int held = ((ConsumerTransactions) f.get(runtime)).held();
        ConsumerHealth health = runtime.health();
        assertThat(health.status()).as("no commit for 2 s (%d producers made, %d records' output held in memory): %s",
                txProducers.size(), held, health).isNotEqualTo(ConsumerHealth.Status.UP);
    }
}
