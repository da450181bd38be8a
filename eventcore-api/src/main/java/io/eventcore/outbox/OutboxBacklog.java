package io.eventcore.outbox;

import java.time.Duration;
import java.time.Instant;

/**
 * How much is waiting in an outbox.
 *
 * <p>Reading it must stay cheap however large the backlog (the relay reads it every few seconds), so a
 * store may estimate large counts instead of counting every pending row. The JDBC store counts pending
 * rows exactly up to 10,000 and estimates above (never below 10,001): from the database's estimate of
 * the table's rows (PostgreSQL's live-row statistics, MySQL's/MariaDB's {@code TABLE_ROWS}), capped by the
 * span of pending ids; its oldest creation time is taken from the first pending row of each shard.
 * The in-memory store counts exactly.
 *
 * @param pending rows not yet published (due or waiting for a retry); exact for small backlogs, possibly
 *        an estimate for large ones (see above)
 * @param oldestCreatedAt creation time of the oldest pending row (a store may take the oldest of the rows
 *        first in line), {@code null} when none is pending
 * @param dead rows in the dead table
 */
public record OutboxBacklog(long pending, Instant oldestCreatedAt, long dead) {

    /**
     * @param now the current time
     * @return age of the oldest pending row, zero when none is pending
     */
    public Duration oldestAge(Instant now) {
        if (oldestCreatedAt == null || oldestCreatedAt.isAfter(now)) {
            return Duration.ZERO;
        }
        return Duration.between(oldestCreatedAt, now);
    }
}
