package io.eventcore.outbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What became of one batch of outbox rows: published, to be retried later, or dead. A store applies
 * a completion atomically (one transaction) and only under a valid fence.
 *
 * <pre>{@code
 * OutboxCompletion completion = OutboxCompletion.builder()
 *         .published(sent)
 *         .retry(failed.failed(1, "broker said no"), now.plusSeconds(5))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe: the lists it returns cannot be modified.
 */
public final class OutboxCompletion {
    private static final OutboxCompletion EMPTY = builder().build();

    private final List<OutboxRecord> published;
    private final List<Retry> retries;
    private final List<Dead> dead;

    /**
     * A failed row to retry.
     *
     * @param record the row, with its attempts and last error already updated
     * @param notBefore when it may be tried again; until then it blocks the rows behind it with the same key
     */
    public record Retry(OutboxRecord record, Instant notBefore) {
        /**
         * Validates.
         *
         * @param record the row, with its attempts and last error already updated
         * @param notBefore when it may be tried again; until then it blocks the rows behind it with the same key
         */
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
        /**
         * Validates.
         *
         * @param record the row, with its attempts and last error already updated
         * @param failedAt when it was given up
         */
        public Dead {
            Objects.requireNonNull(record, "record");
            Objects.requireNonNull(failedAt, "failedAt");
        }
    }

    private OutboxCompletion(Builder b) {
        this.published = List.copyOf(b.published);
        this.retries = List.copyOf(b.retries);
        this.dead = List.copyOf(b.dead);
    }

    /** @return a builder for a completion */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a completion that settles nothing */
    public static OutboxCompletion empty() {
        return EMPTY;
    }

    /**
     * @param rows rows that were all published, in order
     * @return a completion marking them published
     * @throws IllegalStateException if a row (by id) appears twice
     */
    public static OutboxCompletion allPublished(Collection<OutboxRecord> rows) {
        Builder b = builder();
        rows.forEach(b::published);
        return b.build();
    }

    /** @return published rows, in the order added; unmodifiable */
    public List<OutboxRecord> published() {
        return published;
    }

    /** @return rows to retry, in the order added; unmodifiable */
    public List<Retry> retries() {
        return retries;
    }

    /** @return dead rows, in the order added; unmodifiable */
    public List<Dead> dead() {
        return dead;
    }

    /** @return whether nothing was recorded */
    public boolean isEmpty() {
        return published.isEmpty() && retries.isEmpty() && dead.isEmpty();
    }

    @Override
    public String toString() {
        return "OutboxCompletion{published=" + published.size() + ", retries=" + retries.size() + ", dead="
                + dead.size() + '}';
    }

    /**
     * Collects what became of each row of a batch. Each row (by {@link OutboxRecord#id() id}) may be recorded
     * once; recording it again throws {@link IllegalStateException}. Not thread-safe.
     */
    public static final class Builder {
        private final List<OutboxRecord> published = new ArrayList<>();
        private final List<Retry> retries = new ArrayList<>();
        private final List<Dead> dead = new ArrayList<>();
        private final Set<Long> recorded = new HashSet<>();

        private Builder() {
        }

        /**
         * @param row a published row (deleted or marked published by the store)
         * @return this builder
         * @throws IllegalStateException if the row was already recorded
         */
        public Builder published(OutboxRecord row) {
            published.add(once(Objects.requireNonNull(row, "row")));
            return this;
        }

        /**
         * @param row the failed row, attempts and error updated
         * @param notBefore when it may be tried again
         * @return this builder
         * @throws IllegalStateException if the row was already recorded
         */
        public Builder retry(OutboxRecord row, Instant notBefore) {
            retries.add(new Retry(once(Objects.requireNonNull(row, "row")), notBefore));
            return this;
        }

        /**
         * @param row the failed row, attempts and error updated
         * @param failedAt when it was given up
         * @return this builder
         * @throws IllegalStateException if the row was already recorded
         */
        public Builder dead(OutboxRecord row, Instant failedAt) {
            dead.add(new Dead(once(Objects.requireNonNull(row, "row")), failedAt));
            return this;
        }

        /** @return the completion; the builder may go on collecting for another one */
        public OutboxCompletion build() {
            return new OutboxCompletion(this);
        }

        private OutboxRecord once(OutboxRecord row) {
            if (!recorded.add(row.id())) {
                throw new IllegalStateException("row #" + row.id() + " was already recorded in this completion");
            }
            return row;
        }
    }
}
