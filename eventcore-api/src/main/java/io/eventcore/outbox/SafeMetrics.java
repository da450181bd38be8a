package io.eventcore.outbox;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The user's {@link OutboxMetrics} behind a guard: a metric that throws is logged, never breaks the relay. */
final class SafeMetrics implements OutboxMetrics {
    private static final Logger log = LoggerFactory.getLogger(SafeMetrics.class);
    private final OutboxMetrics target;

    SafeMetrics(OutboxMetrics target) {
        this.target = target;
    }

    @Override
    public void batchPublished(int size, int published, Duration elapsed) {
        safely(() -> target.batchPublished(size, published, elapsed));
    }

    @Override
    public void retried(int count) {
        safely(() -> target.retried(count));
    }

    @Override
    public void dead(int count) {
        safely(() -> target.dead(count));
    }

    @Override
    public void leaseAcquired(int shard) {
        safely(() -> target.leaseAcquired(shard));
    }

    @Override
    public void leaseLost(int shard) {
        safely(() -> target.leaseLost(shard));
    }

    @Override
    public void fenceRejected(int shard) {
        safely(() -> target.fenceRejected(shard));
    }

    @Override
    public void backlog(long pending, Duration oldestAge, long dead) {
        safely(() -> target.backlog(pending, oldestAge, dead));
    }

    private static void safely(Runnable metric) {
        try {
            metric.run();
        } catch (RuntimeException e) {
            log.warn("outbox metrics failed", e);
        }
    }
}
