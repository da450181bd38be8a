package io.eventcore.kafka;

import io.eventcore.transport.internal.OffsetTracker;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.TopicPartition;

/**
 * What the poll loop knows about one assignment of a partition: its ownership epoch. Created on
 * assignment and {@linkplain #retired retired} on revocation, loss, close or a backward position;
 * work carries the instance it started under, so results and signals of a retired epoch are
 * ignored, its queued work never starts and its {@code FAILED} loops stop. Mutated only by the
 * poll thread, except the tracker, {@link #retired}, the progress time and the failing records
 * (thread-safe).
 */
final class PartitionState {
    final TopicPartition partition;
    final OffsetTracker tracker = new OffsetTracker();
    /** Records of this epoch that keep failing, by offset: why, for {@code health()}. */
    final Map<Long, String> failing = new ConcurrentSkipListMap<>();
    long committed = -1;
    int inFlight;
    int blocked;
    Instant resumeAt;
    Boolean reportedPaused;
    /** Set once the epoch has ended; never cleared. */
    volatile boolean retired;
    /** When the lowest uncommitted offset last moved (or work arrived at an idle partition). */
    volatile long lastProgressNanos = System.nanoTime();

    PartitionState(TopicPartition partition) {
        this.partition = partition;
    }

    /** Tracks a record handed out; an idle partition starts its stall clock now. */
    void track(long offset, long nowNanos) {
        if (tracker.inFlight() == 0) {
            lastProgressNanos = nowNanos;
        }
        tracker.track(offset);
    }

    /** Completes a record; progress is only a move of the lowest uncommitted offset. */
    void complete(long offset, long nowNanos) {
        long before = tracker.committable();
        tracker.complete(offset);
        if (tracker.committable() != before) {
            lastProgressNanos = nowNanos;
        }
    }

    /** Whether the lowest uncommitted offset has not moved for longer than the threshold. */
    boolean stalled(long thresholdNanos, long nowNanos) {
        return !retired && tracker.inFlight() > 0 && nowNanos - lastProgressNanos > thresholdNanos;
    }

    /** Whether the partition should be paused now. */
    boolean shouldPause(int maxInFlightPerPartition, boolean globalBackPressure, Instant now) {
        return globalBackPressure || inFlight >= maxInFlightPerPartition || blocked > 0
                || resumeAt != null && now.isBefore(resumeAt);
    }

    /** @return the offset to commit if it advanced since the last commit, else -1 */
    long advancedCommit() {
        long next = tracker.committable();
        return next > committed ? next : -1;
    }
}
