package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.ConsumerMetrics;
import io.eventcore.transport.Ordering;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regressions from a review of batch routes in the consumer's exactly-once mode (same fixture as {@link ExactlyOnceReviewTest}): the
 * handlers publish through a joined {@link KafkaEventPublisher}; {@link #committedOutput()} is what a
 * {@code read_committed} reader sees.
 */
class BatchReviewExactlyOnceTest {
    record Order(String id) {
    }

    record Shipment(String orderId) {
    }

    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private final LoopHarness.PacedMockConsumer consumer = new LoopHarness.PacedMockConsumer();
    private final ExecutorService workers = Executors.newFixedThreadPool(4);
    private final MockProducer<byte[], byte[]> direct = mockProducer();
    private final KafkaEventPublisher publisher = KafkaEventPublisher.builder().producer(direct).topic("shipments")
            .build();
    private final List<MockProducer<byte[], byte[]>> txProducers = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private ConsumerRuntime runtime;

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
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

    private void start(EventRouter router, Ordering ordering) {
        closeables.add(router);
        ConsumerSettings settings = new ConsumerSettings("g", List.of("orders"), null, ordering,
                Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMinutes(1), 10_000,
                2_000, Map.of(), 4, Duration.ofMillis(10), Duration.ofMillis(50));
        ConsumerRuntime.ExactlyOnce eos = new ConsumerRuntime.ExactlyOnce(List.of(publisher), () -> {
            MockProducer<byte[], byte[]> p = mockProducer();
            txProducers.add(p);
            return p;
        });
        runtime = new ConsumerRuntime(settings, router, workers, consumer, mockProducer(), ConsumerMetrics.noop(),
                eos);
        consumer.schedulePollTask(() -> {
            Map<TopicPartition, Long> begin = new HashMap<>();
            begin.put(TP, 0L);
            consumer.updateBeginningOffsets(begin);
            consumer.rebalance(List.of(TP));
        });
        runtime.start();
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

    private List<String> committedOutput() {
        List<String> all = new ArrayList<>();
        for (MockProducer<byte[], byte[]> p : txProducers) {
            for (ProducerRecord<byte[], byte[]> r : p.history()) {
                all.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return all;
    }

    private long committedOffset() {
        long max = -1;
        for (MockProducer<byte[], byte[]> p : txProducers) {
            for (Map<String, Map<TopicPartition, OffsetAndMetadata>> byGroup : p.consumerGroupOffsetsHistory()) {
                for (Map<TopicPartition, OffsetAndMetadata> offsets : byGroup.values()) {
                    OffsetAndMetadata om = offsets.get(TP);
                    if (om != null) {
                        max = Math.max(max, om.offset());
                    }
                }
            }
        }
        return max;
    }

    /**
     * LOST output. KEY ordering: key "a" has offsets 0 and 2, key "b" offset 1 (still being handled). The batch call
     * of key a [o0, o2] ships one record per event; everything it sends is held in ONE scope, the last event's
     * (offset 2: BatchCall.invoke enters HandlerAttempt of {@code last.message()}). The commit position moves to 1
     * as soon as offset 0 is done, and ConsumerTransactions.commitTogether releases only the held output below the
     * position: offset 0 is committed without o0's shipment. When the partition is then revoked (or the consumer
     * crashes) before offset 1 and 2 commit, the scope of offset 2 is discarded and the new owner re-handles only
     * offsets 1 and 2: o0's shipment is never produced. Expected: a record's output is committed exactly when its
     * offset is (ConsumerTransactions javadoc).
     */
    @Test
    void keyOrdering_anEarlierEventsOffsetCommitsWithoutTheBatchsOutput_andTheOutputIsLostOnRevoke() throws Exception {
        CountDownLatch bStarted = new CountDownLatch(1);
        EventRouter router = EventRouter.builder().routeBatch("Order", Order.class, (events, ctx) -> {
            for (Event<Order> e : events) {
                if (e.key().equals("b")) {
                    bStarted.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }
                ship(e);
            }
        }).build();
        start(router, Ordering.KEY);
        consumer.schedulePollTask(() -> {
            consumer.addRecord(LoopHarness.rec(TP, 0, "a", "o0"));
            consumer.addRecord(LoopHarness.rec(TP, 1, "b", "o1"));
            consumer.addRecord(LoopHarness.rec(TP, 2, "a", "o2"));
        });
        assertThat(bStarted.await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> committedOffset() >= 1);
        List<String> outputWhenOffset0Committed = committedOutput();

        onPollThread(() -> consumer.rebalance(List.of())); // revoked while key b is still being handled
        release.countDown();

        assertThat(committedOffset()).as("offset 0 is committed").isEqualTo(1);
        assertThat(outputWhenOffset0Committed).as("o0's output is committed with offset 0")
                .anySatisfy(v -> assertThat(v).contains("o0"));
    }

    /** Control (passes): the same with a single-event route keeps o0's output with offset 0. */
    @Test
    void control_singleRoute_keyOrdering_outputCommitsWithItsOffset() throws Exception {
        CountDownLatch bStarted = new CountDownLatch(1);
        EventRouter router = EventRouter.builder().route("Order", Order.class, (e, ctx) -> {
            if (e.key().equals("b")) {
                bStarted.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
            ship(e);
        }).build();
        start(router, Ordering.KEY);
        consumer.schedulePollTask(() -> {
            consumer.addRecord(LoopHarness.rec(TP, 0, "a", "o0"));
            consumer.addRecord(LoopHarness.rec(TP, 1, "b", "o1"));
            consumer.addRecord(LoopHarness.rec(TP, 2, "a", "o2"));
        });
        assertThat(bStarted.await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> committedOffset() >= 1);
        List<String> outputWhenOffset0Committed = committedOutput();
        onPollThread(() -> consumer.rebalance(List.of()));
        release.countDown();

        assertThat(outputWhenOffset0Committed).anySatisfy(v -> assertThat(v).contains("o0"));
    }
}
