package io.eventcore.outbox;

import java.time.Duration;

/**
 * The relay's adaptive waits: right away while there is work; while idle, doubling from the minimum to
 * the maximum poll interval; after failures, doubling from the minimum up to five times the maximum. A
 * wake-up resets the idle wait. Used by the relay thread only.
 */
final class PollBackoff {
    private final Duration min;
    private final Duration max;
    private Duration idle;
    private Duration failure;

    PollBackoff(Duration min, Duration max) {
        this.min = min;
        this.max = max;
        this.idle = min;
        this.failure = min;
    }

    /** A pass found work: poll again at once, and reset both waits. */
    void busy() {
        idle = min;
        failure = min;
    }

    /** @return the wait after a pass that found nothing; the next idle wait doubles */
    Duration idle() {
        failure = min;
        Duration wait = idle;
        idle = shorter(idle.multipliedBy(2), max);
        return wait;
    }

    /** @return the wait after a failed pass (or a broker outage), doubled from the last */
    Duration failed() {
        failure = shorter(failure.multipliedBy(2), max.multipliedBy(5));
        return failure;
    }

    /** @return whether the last pass did not fail, so a failure now is the first of a series */
    boolean healthy() {
        return failure.equals(min);
    }

    /** Woken up for work: the next idle wait starts from the minimum again. */
    void wokenUp() {
        idle = min;
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
