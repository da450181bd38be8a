package io.eventcore.outbox;

import java.time.Duration;

/**
 * Metrics the outbox relay reports. Every method is a no-op by default, so an implementation overrides
 * only what it records; {@link io.eventcore.micrometer.MicrometerMetrics} implements them all.
 *
 * <p>Implementations must be thread-safe; the relay logs and ignores their exceptions.
 */
public interface OutboxMetrics {

    /**
     * A batch was sent and awaited.
     *
     * @param size rows in the batch
     * @param published rows the broker acknowledged
     * @param elapsed send-and-await time
     */
    default void batchPublished(int size, int published, Duration elapsed) {
    }

    /**
     * @param count rows that failed and will be retried
     */
    default void retried(int count) {
    }

    /**
     * @param count rows moved to the dead table
     */
    default void dead(int count) {
    }

    /** @param shard a lease this relay acquired */
    default void leaseAcquired(int shard) {
    }

    /** @param shard a lease this relay lost to another relay (expired and taken over) */
    default void leaseLost(int shard) {
    }

    /** @param shard a settlement rejected because this relay's fence was stale */
    default void fenceRejected(int shard) {
    }

    /**
     * The periodic backlog reading.
     *
     * @param pending pending rows
     * @param oldestAge age of the oldest pending row
     * @param dead rows in the dead table
     */
    default void backlog(long pending, Duration oldestAge, long dead) {
    }

    /** @return metrics that record nothing */
    static OutboxMetrics noop() {
        return new OutboxMetrics() {
        };
    }
}
