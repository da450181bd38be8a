package io.eventcore.test;

import org.awaitility.Awaitility;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link DeadLetterSink} that keeps dead letters in memory for assertions, and can be told to
 * fail so tests can exercise a dead-letter store that is down. Thread-safe.
 */
public final class InMemoryDeadLetterSink implements DeadLetterSink {
    private final List<DeadLetter> letters = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicInteger rejected = new AtomicInteger();

    @Override
    public void accept(DeadLetter deadLetter) throws Exception {
        if (down.get() || failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            rejected.incrementAndGet();
            throw new java.io.IOException("dead-letter sink unavailable (simulated)");
        }
        letters.add(deadLetter);
    }

    /**
     * Makes the next {@code count} writes fail.
     *
     * @param count how many writes fail
     */
    public void failNext(int count) {
        failuresLeft.set(count);
    }

    /**
     * @param unavailable whether every write fails until called again with {@code false}
     */
    public void setDown(boolean unavailable) {
        down.set(unavailable);
    }

    /** @return the accepted dead letters in arrival order (a snapshot) */
    public List<DeadLetter> deadLetters() {
        return List.copyOf(letters);
    }

    /** @return how many writes were rejected */
    public int rejectedWrites() {
        return rejected.get();
    }

    /**
     * Waits until at least {@code count} dead letters have arrived.
     *
     * @param count how many
     * @param timeout how long to wait
     * @return the dead letters
     * @throws org.awaitility.core.ConditionTimeoutException on timeout, listing what arrived
     */
    public List<DeadLetter> awaitCount(int count, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
            if (letters.size() < count) {
                throw new AssertionError("expected " + count + " dead letters, got " + letters.size() + ": " + letters);
            }
        });
        return deadLetters();
    }
}
