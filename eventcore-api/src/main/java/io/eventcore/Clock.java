package io.eventcore;

import java.time.Instant;

/**
 * The source of the current time for eventcore components, injectable so tests can control time
 * (see {@code io.eventcore.test.ManualClock}). Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Clock {

    /** @return the current instant */
    Instant now();

    /** @return the system clock */
    static Clock system() {
        return Instant::now;
    }
}
