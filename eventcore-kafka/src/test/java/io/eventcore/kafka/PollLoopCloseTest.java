package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.EventHeaders;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.Settlement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Regression test: {@code close()} wakes the consumer; when the wake-up lands after the loop already
 * left {@code poll()}, it hits the final synchronous commit. That commit must still happen.
 */
class PollLoopCloseTest {
    @Test
    void wakeupDuringTheFinalCommit_doesNotLoseIt() throws Exception {
        TopicPartition tp = new TopicPartition("orders", 0);
        AtomicInteger wakeups = new AtomicInteger(1);
        Map<TopicPartition, OffsetAndMetadata> committed = new java.util.concurrent.ConcurrentHashMap<>();
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest") {
            @Override
            public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
                if (wakeups.getAndDecrement() > 0) {
                    throw new WakeupException();
                }
                super.commitSync(offsets, timeout);
                committed.putAll(offsets);
            }
        };
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(tp));
            consumer.updateBeginningOffsets(Map.of(tp, 0L));
            ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("orders", 0, 0, "k".getBytes(StandardCharsets.UTF_8),
                    "\"hi\"".getBytes(StandardCharsets.UTF_8));
            r.headers().add(EventHeaders.EVENT_TYPE, "Greeting".getBytes(StandardCharsets.UTF_8));
            consumer.addRecord(r);
        });
        AtomicInteger handled = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(2);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (EventRouter router = EventRouter.builder()
                .route("Greeting", String.class, (e, c) -> handled.incrementAndGet()).build()) {
            ConsumerSettings settings = new ConsumerSettings("g", List.of("orders"), null,
                    Ordering.KEY, Duration.ofMillis(10), Duration.ofHours(1), Duration.ofSeconds(2),
                    Duration.ofMinutes(1), 1000, 100, Map.of(), 2, Duration.ofMillis(10), Duration.ofMillis(100));
            RetryTopicRedeliverer redeliverer = new RetryTopicRedeliverer(
                    new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()), Map.of());
            PollLoop loop = new PollLoop(consumer, settings, new KeyedSerialExecutor(workers),
                    new Settlement(router, timer, workers, () -> true, redeliverer, Duration.ofMillis(10),
                            Duration.ofMillis(100)));
            Thread thread = new Thread(loop);
            thread.start();
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> handled.get() == 1);
            loop.stop();
            thread.join(10_000);
            assertThat(thread.isAlive()).isFalse();
            assertThat(wakeups.get()).as("the first commit attempt was woken up").isNegative();
            assertThat(committed.get(tp).offset()).as("committed after all").isEqualTo(1);
        } finally {
            workers.shutdownNow();
            timer.shutdownNow();
        }
    }
}
