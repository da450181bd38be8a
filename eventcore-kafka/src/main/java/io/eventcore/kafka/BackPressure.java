package io.eventcore.kafka;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Pauses and resumes partitions: a partition is paused while it has
 * {@code maxInFlightPerPartition} records in flight, a record blocks it, or a retry-topic record
 * is not yet due; every partition is paused while {@code maxInFlight} records are in flight.
 * Runs on the poll thread.
 */
final class BackPressure {
    private final int maxInFlight;
    private final int maxInFlightPerPartition;

    BackPressure(int maxInFlight, int maxInFlightPerPartition) {
        this.maxInFlight = maxInFlight;
        this.maxInFlightPerPartition = maxInFlightPerPartition;
    }

    /**
     * Pauses the partitions that should pause and resumes the others; clears due times that have passed.
     *
     * @param inFlight records in flight across all partitions
     */
    void adjust(Consumer<byte[], byte[]> consumer, Collection<PartitionState> states, int inFlight, Instant now) {
        boolean global = inFlight >= maxInFlight;
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> toPause = new ArrayList<>();
        List<TopicPartition> toResume = new ArrayList<>();
        for (PartitionState state : states) {
            boolean pause = state.shouldPause(maxInFlightPerPartition, global, now);
            if (!pause && state.resumeAt != null) {
                state.resumeAt = null;
            }
            if (pause && !paused.contains(state.partition)) {
                toPause.add(state.partition);
            } else if (!pause && paused.contains(state.partition)) {
                toResume.add(state.partition);
            }
        }
        if (!toPause.isEmpty()) {
            consumer.pause(toPause);
        }
        if (!toResume.isEmpty()) {
            consumer.resume(toResume);
        }
    }
}
