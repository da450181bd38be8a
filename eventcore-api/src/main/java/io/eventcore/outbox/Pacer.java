package io.eventcore.outbox;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the keep-alive (the relay's lease renewal) when it is due; used by the relay thread while a round sends,
 * awaits acknowledgements and awaits commits.
 */
final class Pacer {
    private final Runnable keepAlive;
    private final long every;
    private long next;

    /** A pacer with no keep-alive (a thread other than the relay's: the relay's thread renews the leases). */
    static Pacer none(Duration every) {
        return new Pacer(() -> { }, every);
    }

    Pacer(Runnable keepAlive, Duration every) {
        this.keepAlive = keepAlive;
        this.every = Math.max(1, every.toNanos());
        this.next = System.nanoTime() + this.every;
    }

    void tick() {
        if (System.nanoTime() - next >= 0) {
            keepAlive.run();
            next = System.nanoTime() + every;
        }
    }

    long next() {
        return next;
    }

    /** Waits for {@code result} until it completes, the keep-alive is due or the deadline passes. */
    void await(CompletableFuture<?> result, long deadlineNanos) {
        while (!result.isDone() && deadlineNanos - System.nanoTime() > 0 && !Thread.currentThread().isInterrupted()) {
            tick();
            waitFor(result, deadlineNanos - next < 0 ? deadlineNanos : next);
        }
    }

    static void waitFor(CompletableFuture<?> result, long untilNanos) {
        try {
            result.get(Math.max(0, untilNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            // the caller reads the outcome
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
