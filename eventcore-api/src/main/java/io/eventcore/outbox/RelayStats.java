package io.eventcore.outbox;

import io.eventcore.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The relay's counters and last error, for {@link OutboxPublisher#status()}, and the metrics of each round.
 * Written by the pass, read from any thread.
 */
final class RelayStats {
    private final Clock clock;
    private final OutboxMetrics metrics;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private final AtomicLong fenced = new AtomicLong();
    private volatile Instant lastPublishAt;
    private volatile String lastError;
    private volatile String stopCause;
    /** When the running pass started ({@code System.nanoTime}), 0 between passes. */
    private volatile long passStarted;

    RelayStats(Clock clock, OutboxMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Counts a settled round and reports its metrics.
     *
     * @param deadRows rows of the round actually moved to the dead table (not those of fenced groups)
     */
    void roundSettled(OutboxBatch.Round<?> round, int deadRows, Duration elapsed) {
        int retries = round.retries();
        published.addAndGet(round.published());
        retried.addAndGet(retries);
        dead.addAndGet(deadRows);
        if (round.published() > 0) {
            lastPublishAt = clock.now();
        }
        if (round.allTransientFailures()) {
            lastError = "broker unavailable: " + round.lastFailure();
        }
        metrics.batchPublished(round.sent(), round.published(), elapsed);
        if (retries > 0) {
            metrics.retried(retries);
        }
        if (deadRows > 0) {
            metrics.dead(deadRows);
        }
    }

    /** A settlement was rejected because another relay took the shard over. */
    void fenced() {
        fenced.incrementAndGet();
    }

    /** A pass failed (store or broker unreachable). */
    void passFailed(RuntimeException failure) {
        lastError = failure.toString();
    }

    /** The relay thread ended by itself (an error, an interrupt): the relay is unhealthy for good. */
    void stopped(String cause) {
        stopCause = cause;
        lastError = cause;
    }

    /** A pass went through without an outage. */
    void passSucceeded() {
        lastError = stopCause;
    }

    /** A pass starts (relay thread). */
    void passStarted() {
        passStarted = Math.max(1, System.nanoTime());
    }

    /** The pass ended, however (relay thread). */
    void passEnded() {
        passStarted = 0;
    }

    /**
     * @return the snapshot; a pass running for longer than {@link OutboxStatus#STUCK_AFTER} (blocked on a broker
     *     or a database that does not answer) is reported as the last error, so health turns DOWN without waiting
     *     for the client's own timeouts
     */
    OutboxStatus status(String relayId, boolean running, List<Integer> shards) {
        String error = lastError;
        long started = passStarted;
        long stuck = started == 0 ? 0 : System.nanoTime() - started;
        if (stuck > OutboxStatus.STUCK_AFTER.toNanos()) {
            String waiting = "a pass has been waiting " + Duration.ofNanos(stuck).toSeconds()
                    + " s for the broker or the database";
            error = error == null ? waiting : waiting + "; before it: " + error;
        }
        return new OutboxStatus(relayId, running, shards, published.get(), retried.get(), dead.get(), fenced.get(),
                lastPublishAt, error);
    }
}
