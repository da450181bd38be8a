package io.eventcore.transport.internal;

/**
 * Internal, not API. Tracks the in-flight offsets of one partition and yields the next offset that
 * is safe to commit: one past the highest offset below which everything has completed. Completing
 * offsets out of order never moves the commit position past an unfinished offset. Thread-safe.
 *
 * <p>The tracked offsets sit in a ring in increasing order, each with a done flag; the ring's head is the
 * lowest unfinished offset. Tracking is O(1), completing a binary search, and neither boxes a value.
 */
public final class OffsetTracker {
    private long[] offsets = new long[64];
    private boolean[] done = new boolean[64];
    private int head;
    private int size;
    private int open;
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
        if (size == offsets.length) {
            grow();
        }
        int slot = (head + size) & (offsets.length - 1);
        offsets[slot] = offset;
        done[slot] = false;
        size++;
        open++;
        nextUnseen = offset + 1;
    }

    /**
     * Marks an offset as done.
     *
     * @param offset a tracked offset
     */
    public synchronized void complete(long offset) {
        int lo = 0;
        int hi = size - 1;
        int mask = offsets.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long at = offsets[(head + mid) & mask];
            if (at < offset) {
                lo = mid + 1;
            } else if (at > offset) {
                hi = mid - 1;
            } else {
                int slot = (head + mid) & mask;
                if (!done[slot]) {
                    done[slot] = true;
                    open--;
                    while (size > 0 && done[head]) {
                        head = (head + 1) & mask;
                        size--;
                    }
                }
                return;
            }
        }
    }

    private void grow() {
        long[] moreOffsets = new long[offsets.length * 2];
        boolean[] moreDone = new boolean[done.length * 2];
        for (int i = 0; i < size; i++) {
            int slot = (head + i) & (offsets.length - 1);
            moreOffsets[i] = offsets[slot];
            moreDone[i] = done[slot];
        }
        offsets = moreOffsets;
        done = moreDone;
        head = 0;
    }

    /** @return the offset to commit (the next one to consume), or -1 if nothing was tracked */
    public synchronized long committable() {
        return size == 0 ? nextUnseen : offsets[head];
    }

    /** @return the lowest offset that may be tracked next, or -1 if nothing was tracked */
    public synchronized long nextUnseen() {
        return nextUnseen;
    }

    /** @return how many offsets are in flight */
    public synchronized int inFlight() {
        return open;
    }
}
