package io.eventcore.kafka;

import io.eventcore.transport.internal.OffsetTracker;
import java.time.Instant;
import org.apache.kafka.common.TopicPartition;

/**
 * What the poll loop knows about one assigned partition. Created on assignment and dropped on
 * revocation; results of work that finishes after that carry the old instance and are ignored.
 * Mutated only by the poll thread, except the tracker (thread-safe).
 */
final class PartitionState {
    final TopicPartition partition;
    final OffsetTracker tracker = new OffsetTracker();
    long committed = -1;
    int inFlight;
    int blocked;
    Instant resumeAt;
    volatile long lastProgressNanos = System.nanoTime();

    PartitionState(TopicPartition partition) {
        this.partition = partition;
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
