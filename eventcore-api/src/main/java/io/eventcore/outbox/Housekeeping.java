package io.eventcore.outbox;

import java.time.Duration;
import java.time.Instant;

/**
 * The relay's periodic chores: purge old dead rows (and kept published rows) in bounded batches, and
 * report the backlog. Runs at most every {@link #INTERVAL}, or on the next pass while a purge filled a
 * whole batch (either of the two purges). Used by the relay's pass only (one thread at a time).
 */
final class Housekeeping {
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final OutboxAdmin store;
    private final Duration deadRetention;
    private final Duration publishedRetention;
    private final int purgeBatch;
    private final OutboxMetrics metrics;
    private Instant next = Instant.MIN;

    /**
     * @param publishedRetention {@code null} to leave published rows alone
     */
    Housekeeping(OutboxAdmin store, Duration deadRetention, Duration publishedRetention, int purgeBatch,
            OutboxMetrics metrics) {
        this.store = store;
        this.deadRetention = deadRetention;
        this.publishedRetention = publishedRetention;
        this.purgeBatch = purgeBatch;
        this.metrics = metrics;
    }

    /** @return whether {@link #runIfDue} would run now */
    boolean due(Instant now) {
        return !now.isBefore(next);
    }

    void runIfDue(Instant now) {
        if (now.isBefore(next)) {
            return;
        }
        next = now.plus(INTERVAL);
        boolean more = store.purgeDead(now.minus(deadRetention), purgeBatch) >= purgeBatch;
        if (publishedRetention != null) {
            // Each purge is judged on its own: a few dead rows purged beside a full batch of published ones
            // must not make the sum miss the batch size and throttle the backlog of published rows.
            more |= store.purgePublished(now.minus(publishedRetention), purgeBatch) >= purgeBatch;
        }
        if (more) {
            next = now; // more to purge: keep going next pass
        }
        OutboxBacklog backlog = store.backlog();
        metrics.backlog(backlog.pending(), backlog.oldestAge(now), backlog.dead());
    }
}
