package io.eventcore.outbox;

import io.eventcore.micrometer.MicrometerMetrics;

import java.time.Duration;

/**
 * Metrics the outbox relay reports. {@link MicrometerMetrics} implements it; implementations must be
 * thread-safe, and their exceptions are logged and ignored by the relay.
 */
public interface OutboxMetrics {

    /**
     * A batch was sent and awaited.
     *
     * @param size rows in the batch
     * @param published rows the broker acknowledged
     * @param elapsed send-and-await time
     */
    void batchPublished(int size, int published, Duration elapsed);

    /**
     * @param count rows that failed and will be retried
     */
    void retried(int count);

    /**
     * @param count rows moved to the dead table
     */
    void dead(int count);

    /** @param shard a lease this relay acquired */
    void leaseAcquired(int shard);

    /** @param shard a lease this relay lost to another relay (expired and taken over) */
    void leaseLost(int shard);

    /** @param shard a settlement rejected because this relay's fence was stale */
    void fenceRejected(int shard);

    /**
     * The periodic backlog reading.
     *
     * @param pending pending rows
     * @param oldestAge age of the oldest pending row
     * @param dead rows in the dead table
     */
    void backlog(long pending, Duration oldestAge, long dead);

    /** @return metrics that record nothing */
    static OutboxMetrics noop() {
        return new OutboxMetrics() {
            @Override
            public void batchPublished(int size, int published, Duration elapsed) {
            }

            @Override
            public void retried(int count) {
            }

            @Override
            public void dead(int count) {
            }

            @Override
            public void leaseAcquired(int shard) {
            }

            @Override
            public void leaseLost(int shard) {
            }

            @Override
            public void fenceRejected(int shard) {
            }

            @Override
            public void backlog(long pending, Duration oldestAge, long dead) {
            }
        };
    }
}
