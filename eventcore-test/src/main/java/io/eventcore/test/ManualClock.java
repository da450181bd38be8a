package io.eventcore.test;

import io.eventcore.Clock;
import io.eventcore.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A clock and scheduler that only move when a test says so, so retry delays and timeouts run
 * without real waiting. Pass it to {@code EventRouter.Builder.clock(...)} and {@code .scheduler(...)}.
 *
 * <p>{@link #advance(Duration)} moves time forward and runs, on the calling thread and in due
 * order, every task that has come due (including tasks those tasks schedule). Thread-safe.
 */
public final class ManualClock implements Clock, Scheduler {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private final List<Duration> scheduledDelays = new ArrayList<>();
    private Instant now;
    private long sequence;

    /** Starts at {@code 2026-01-01T00:00:00Z}. */
    public ManualClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /**
     * @param start the initial time
     */
    public ManualClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, Duration delay) {
        Task t = new Task(now.plus(delay), sequence++, task);
        tasks.add(t);
        scheduledDelays.add(delay);
        return () -> {
            synchronized (ManualClock.this) {
                tasks.remove(t);
            }
        };
    }

    /**
     * Moves time forward, running due tasks in order.
     *
     * @param amount how far, &gt;= 0
     */
    public void advance(Duration amount) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("amount must be >= 0, but was " + amount);
        }
        Instant target;
        synchronized (this) {
            target = now.plus(amount);
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due.isAfter(target)) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = next.due;
            }
            next.task.run();
        }
    }

    /** @return how many tasks are waiting */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    /** @return every delay ever passed to {@link #schedule(Runnable, Duration)}, in call order */
    public synchronized List<Duration> scheduledDelays() {
        return List.copyOf(scheduledDelays);
    }

    private record Task(Instant due, long seq, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = due.compareTo(o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
