package io.eventcore.kafka;

import io.eventcore.transport.internal.Settlement;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What workers tell the poll thread: a record completed, was abandoned, hit a fatal error, or
 * started or stopped blocking its partition. Workers {@link #post} signals from any thread; the
 * poll thread takes them with {@link #poll()} and may wait for the next one with
 * {@link #await(long)}. Thread-safe.
 */
final class WorkSignals {
    /** A change to apply on the poll thread; {@code state} is the partition state the work started under. */
    record Signal(PartitionState state, long offset, Kind kind, Throwable error) {
    }

    /** What happened. */
    enum Kind {
        /** The record may be committed. */
        DONE,
        /** The record must not be committed (consumer closing, or its epoch ended); the next owner redelivers it. */
        ABANDONED,
        /** A JVM error on the record's path: the consumer stops. */
        FATAL,
        /** The record keeps failing and blocks its partition. */
        BLOCKED,
        /** The blocking record is resolved. */
        UNBLOCKED
    }

    private final ConcurrentLinkedQueue<Signal> queue = new ConcurrentLinkedQueue<>();
    private final Object signalled = new Object();

    /** Any thread: queues a signal and wakes a waiting {@link #await}. */
    void post(Signal signal) {
        queue.add(signal);
        synchronized (signalled) {
            signalled.notifyAll();
        }
    }

    /** @return the next signal, or {@code null} if none is queued */
    Signal poll() {
        return queue.poll();
    }

    /**
     * Waits up to {@code millis} unless a signal is already queued.
     *
     * @return {@code false} if the thread was interrupted (its interrupt flag is set again)
     */
    boolean await(long millis) {
        synchronized (signalled) {
            if (queue.isEmpty()) {
                try {
                    signalled.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /** @return the signal for work on {@code offset} that completed with {@code failure} ({@code null}: success) */
    static Signal completion(PartitionState state, long offset, Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t == null) {
            return new Signal(state, offset, Kind.DONE, null);
        }
        if (t instanceof Settlement.FatalDispatchException) {
            return new Signal(state, offset, Kind.FATAL, t.getCause());
        }
        return new Signal(state, offset, Kind.ABANDONED, t);
    }
}
