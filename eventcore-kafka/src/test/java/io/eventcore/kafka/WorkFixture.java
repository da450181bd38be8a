package io.eventcore.kafka;

import io.eventcore.EventHeaders;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.Settlement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Partition work wired to a real router on worker threads: a {@code "Greeting"} with payload
 * {@code "wait"} blocks until {@link #release} opens, {@code "boom"} throws a JVM error, anything
 * else succeeds.
 */
final class WorkFixture implements AutoCloseable {
    final CountDownLatch release = new CountDownLatch(1);
    final Assignments assignments = new Assignments();
    final WorkSignals signals = new WorkSignals();
    private final ExecutorService workers = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final EventRouter router = EventRouter.builder()
            .route("Greeting", String.class, (e, c) -> {
                if (e.payload().equals("wait")) {
                    release.await();
                }
                if (e.payload().equals("boom")) {
                    throw new AssertionError("simulated JVM error");
                }
            })
            .retry(RetryPolicy.none()).build();
    final PartitionWork work = new PartitionWork(assignments, signals, new KeyedSerialExecutor(workers),
            new Settlement(router, timer, workers, () -> true, (m, r) -> CompletableFuture.completedFuture(null),
                    Duration.ofMillis(10), Duration.ofMillis(100)),
            Ordering.KEY, "g");

    static ConsumerRecord<byte[], byte[]> greeting(String topic, int partition, long offset, String payload) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(topic, partition, offset,
                ("k" + offset).getBytes(StandardCharsets.UTF_8),
                ("\"" + payload + "\"").getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventHeaders.EVENT_TYPE, "Greeting".getBytes(StandardCharsets.UTF_8));
        return r;
    }

    @Override
    public void close() {
        release.countDown();
        router.close();
        workers.shutdownNow();
        timer.shutdownNow();
    }
}
