package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.EventHeaders;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.ConsumerMetrics;
import io.eventcore.transport.Ordering;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A {@link ConsumerRuntime} on a {@link MockConsumer}: records are added between polls, on the
 * poll thread, so every test drives the runtime deterministically through the consumer API.
 */
final class LoopHarness implements AutoCloseable {
    /** MockConsumer.poll never blocks; sleep a little so the loop does not spin. */
    static final class PacedMockConsumer extends MockConsumer<byte[], byte[]> {
        PacedMockConsumer() {
            super("earliest");
        }

        /** Every commit, kept readable after the consumer was closed. */
        final Map<TopicPartition, Long> commits = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            super.commitSync(offsets, timeout);
            offsets.forEach((tp, om) -> commits.put(tp, om.offset()));
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
            super.commitAsync(offsets, callback);
            offsets.forEach((tp, om) -> commits.put(tp, om.offset()));
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

    /** Settings of a test runtime; change before {@link #start}. */
    static final class Knobs {
        List<String> topics = List.of("orders");
        Ordering ordering = Ordering.KEY;
        Duration drainTimeout = Duration.ofSeconds(1);
        Duration stallTimeout = Duration.ofMinutes(1);
        int maxInFlight = 10_000;
        int maxInFlightPerPartition = 2_000;
        boolean retryTopics;
        ConsumerMetrics metrics = ConsumerMetrics.noop();
    }

    final PacedMockConsumer consumer = new PacedMockConsumer();
    final Knobs knobs = new Knobs();
    /** As the builder's default: virtual threads where the JVM has them (JDK 21+), else platform threads. */
    private final ExecutorService workers = VirtualWorkers.available() ? VirtualWorkers.create(4, "harness-worker-")
            : Executors.newFixedThreadPool(4);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    ConsumerRuntime runtime;

    ConsumerSettings settings() {
        return new ConsumerSettings("g", knobs.topics, null, knobs.ordering, Duration.ofMillis(10),
                Duration.ofMillis(50), knobs.drainTimeout, knobs.stallTimeout, knobs.maxInFlight,
                knobs.maxInFlightPerPartition, retryTopics(), 4, Duration.ofMillis(10),
                Duration.ofMillis(50));
    }

    /** With retry topics on, each topic's retry topic is {@code <topic>.retry} (the test's own naming). */
    private java.util.Map<String, String> retryTopics() {
        java.util.Map<String, String> names = new java.util.LinkedHashMap<>();
        if (knobs.retryTopics) {
            knobs.topics.forEach(t -> names.put(t, t + ".retry"));
        }
        return names;
    }

    /** Starts a runtime on the user executor {@code workers} and assigns {@code partitions} at offset 0. */
    ConsumerRuntime start(EventRouter router, List<TopicPartition> partitions) {
        closeables.add(router);
        runtime = new ConsumerRuntime(settings(), router, workers, consumer,
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()), knobs.metrics);
        consumer.schedulePollTask(() -> {
            Map<TopicPartition, Long> begin = new HashMap<>();
            partitions.forEach(tp -> begin.put(tp, 0L));
            consumer.updateBeginningOffsets(begin);
            consumer.rebalance(partitions);
        });
        runtime.start();
        return runtime;
    }

    static ConsumerRecord<byte[], byte[]> rec(TopicPartition tp, long offset, String key, String id) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(tp.topic(), tp.partition(), offset,
                key.getBytes(StandardCharsets.UTF_8), ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventHeaders.EVENT_TYPE, "Order".getBytes(StandardCharsets.UTF_8));
        return r;
    }

    void add(ConsumerRecord<byte[], byte[]> r) {
        consumer.schedulePollTask(() -> consumer.addRecord(r));
    }

    long committed(TopicPartition tp) {
        return consumer.commits.getOrDefault(tp, -1L);
    }

    /** Runs on the poll thread, between polls; returns once done. */
    void onPollThread(Runnable r) throws InterruptedException {
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

    /** @return the partitions paused now, read on the poll thread */
    Set<TopicPartition> paused() throws InterruptedException {
        List<Set<TopicPartition>> out = new ArrayList<>();
        onPollThread(() -> out.add(Set.copyOf(consumer.paused())));
        return out.get(0);
    }

    @Override
    public void close() throws Exception {
        if (runtime != null) {
            runtime.close(Duration.ofSeconds(5));
        }
        workers.shutdownNow();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }
}
