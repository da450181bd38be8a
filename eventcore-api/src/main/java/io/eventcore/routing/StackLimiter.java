package io.eventcore.routing;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a repeating failure log its stack trace once a minute at most: a dead-letter sink that is
 * down, or a missing sink, fails the same way on every retry round of every blocked record, and one
 * stack says it all. The other occurrences log one line and are counted into the next stack's line.
 * Thread-safe.
 */
final class StackLimiter {
    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final AtomicLong nextStackAt = new AtomicLong(System.nanoTime());
    private final AtomicInteger suppressed = new AtomicInteger();

    /**
     * @return the number of stacks suppressed since the last one (&gt;= 0) when this occurrence may log
     *     its stack, or -1 when it must log one line only
     */
    int permit() {
        long now = System.nanoTime();
        long due = nextStackAt.get();
        if (now - due >= 0 && nextStackAt.compareAndSet(due, now + INTERVAL_NANOS)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }
}
