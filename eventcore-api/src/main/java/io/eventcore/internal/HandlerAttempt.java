package io.eventcore.internal;

import io.eventcore.InboundMessage;

/**
 * Internal, not API. The handler attempt (or dead-letter write) running on this thread: the message it
 * handles, and whether it failed. The router sets it around the synchronous part of each handler call and
 * around each dead-letter write; a transport that runs a message's effects in a transaction (the Kafka
 * consumer's exactly-once mode) finds the message by it, tags what the attempt publishes with it, and drops
 * what a {@link #failed() failed} attempt published. Publishes from another thread (the later stages of an
 * async handler) carry no attempt.
 */
public final class HandlerAttempt {
    private static final ThreadLocal<HandlerAttempt> CURRENT = new ThreadLocal<>();

    private final InboundMessage message;
    private volatile boolean failed;

    private HandlerAttempt(InboundMessage message) {
        this.message = message;
    }

    /** @return the attempt running on this thread, or {@code null} */
    public static HandlerAttempt current() {
        return CURRENT.get();
    }

    /**
     * @param message the message handled
     * @return a new attempt, not yet running on any thread
     */
    public static HandlerAttempt of(InboundMessage message) {
        return new HandlerAttempt(message);
    }

    /**
     * Starts a new attempt on this thread; restore the previous one with {@link #restore} when the call returns.
     *
     * @param message the message handled
     * @return the new attempt
     */
    public static HandlerAttempt enter(InboundMessage message) {
        return of(message).enter();
    }

    /**
     * Runs this attempt on this thread (again); restore the previous one with {@link #restore} when the call returns.
     *
     * @return this attempt
     */
    public HandlerAttempt enter() {
        CURRENT.set(this);
        return this;
    }

    /** @param previous what {@link #current()} returned before {@link #enter}, or {@code null} */
    public static void restore(HandlerAttempt previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    /** @return the message handled */
    public InboundMessage message() {
        return message;
    }

    /** Marks the attempt failed: what it published is not part of the message's outcome. */
    public void fail() {
        failed = true;
    }

    /** @return whether the attempt failed */
    public boolean failed() {
        return failed;
    }
}
