package io.eventcore.transport.internal;

import java.util.TreeSet;

/**
 * Internal, not API. Tracks the in-flight offsets of one partition and yields the next offset that
 * is safe to commit: one past the highest offset below which everything has completed. Completing
 * offsets out of order never moves the commit position past an unfinished offset. Thread-safe.
 */
public final class OffsetTracker {
    private final TreeSet<Long> pending = new TreeSet<>();
    private long nextUnseen = -1;

    /**
     * Registers an offset handed out for processing. Offsets must be tracked in increasing order.
     *
     * @param offset the offset
     */
    public synchronized void track(long offset) {
        if (offset < nextUnseen) {
            throw new IllegalStateException("offset " + offset + " tracked after " + (nextUnseen - 1));
        }
        pending.add(offset);
        nextUnseen = offset + 1;
    }

    /**
     * Marks an offset as done.
     *
     * @param offset a tracked offset
     */
    public synchronized void complete(long offset) {
        pending.remove(offset);
    }

    /** @return the offset to commit (the next one to consume), or -1 if nothing was tracked */
    public synchronized long committable() {
        return pending.isEmpty() ? nextUnseen : pending.first();
    }

    /** @return the lowest offset that may be tracked next, or -1 if nothing was tracked */
    public synchronized long nextUnseen() {
        return nextUnseen;
    }

    /** @return how many offsets are in flight */
    public synchronized int inFlight() {
        return pending.size();
    }
}
