package io.eventcore;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks after a delay: retry back-off and handler timeouts. Injectable so tests can drive
 * delays without waiting (see {@code io.eventcore.test.ManualClock}). Tasks must be short; they
 * hand real work to an executor. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Scheduler {

    /**
     * @param task the task
     * @param delay how long to wait, &gt;= 0
     * @return a handle that cancels the task if it has not started
     */
    Cancellable schedule(Runnable task, Duration delay);

    /**
     * Adapts a JDK scheduled executor. The caller keeps ownership and shuts it down.
     *
     * @param executor the executor
     * @return the scheduler
     */
    static Scheduler of(ScheduledExecutorService executor) {
        Objects.requireNonNull(executor, "executor");
        return (task, delay) -> {
            ScheduledFuture<?> f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        };
    }

    /** A handle to a scheduled task. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not started; idempotent. */
        void cancel();
    }
}
