package io.eventcore.outbox;

import java.time.Duration;
import java.time.Instant;

/**
 * How much is waiting in an outbox.
 *
 * @param pending rows not yet published (due or waiting for a retry)
 * @param oldestCreatedAt creation time of the oldest pending row, {@code null} when none is pending
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
