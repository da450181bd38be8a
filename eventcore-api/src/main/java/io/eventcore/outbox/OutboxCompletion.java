package io.eventcore.outbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What became of one batch of outbox rows: published, to be retried later, or dead. A store applies
 * a completion atomically (one transaction) and only under a valid fence.
 *
 * <p>Not thread-safe; build it on the thread that settles the batch.
 */
public final class OutboxCompletion {
    private final List<OutboxRecord> published = new ArrayList<>();
    private final List<Retry> retries = new ArrayList<>();
    private final List<Dead> dead = new ArrayList<>();

    /**
     * A failed row to retry.
     *
     * @param record the row, with its attempts and last error already updated
     * @param notBefore when it may be tried again; until then it blocks the rows behind it with the same key
     */
    public record Retry(OutboxRecord record, Instant notBefore) {
        /** Validates. */
        public Retry {
            Objects.requireNonNull(record, "record");
            Objects.requireNonNull(notBefore, "notBefore");
        }
    }

    /**
     * A row that failed for good.
     *
     * @param record the row, with its attempts and last error already updated
     * @param failedAt when it was given up
     */
    public record Dead(OutboxRecord record, Instant failedAt) {
        /** Validates. */
        public Dead {
            Objects.requireNonNull(record, "record");
            Objects.requireNonNull(failedAt, "failedAt");
        }
    }

    /**
     * @param row a published row (deleted or marked published by the store)
     * @return this
     */
    public OutboxCompletion published(OutboxRecord row) {
        published.add(Objects.requireNonNull(row, "row"));
        return this;
    }

    /**
     * @param row the failed row, attempts and error updated
     * @param notBefore when it may be tried again
     * @return this
     */
    public OutboxCompletion retry(OutboxRecord row, Instant notBefore) {
        retries.add(new Retry(row, notBefore));
        return this;
    }

    /**
     * @param row the failed row, attempts and error updated
     * @param failedAt when it was given up
     * @return this
     */
    public OutboxCompletion dead(OutboxRecord row, Instant failedAt) {
        dead.add(new Dead(row, failedAt));
        return this;
    }

    /** @return published rows, in the order added */
    public List<OutboxRecord> published() {
        return published;
    }

    /** @return rows to retry */
    public List<Retry> retries() {
        return retries;
    }

    /** @return dead rows */
    public List<Dead> dead() {
        return dead;
    }

    /** @return whether nothing was recorded */
    public boolean isEmpty() {
        return published.isEmpty() && retries.isEmpty() && dead.isEmpty();
    }
}
