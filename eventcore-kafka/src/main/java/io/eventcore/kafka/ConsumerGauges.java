package io.eventcore.kafka;

import io.eventcore.transport.ConsumerMetrics;
import java.time.Duration;
import java.util.Collection;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reports the consumer's gauges: each turn, records in flight and changes of a partition's pause
 * state; once per interval, each owned partition's lag (end offset minus committed offset, from
 * the consumer's fetch metadata: no request to the broker). Runs on the poll thread.
 */
final class ConsumerGauges {
    private final ConsumerMetrics metrics;
    private final String group;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private long lastLagNanos;

    ConsumerGauges(ConsumerMetrics metrics, String group, Duration interval, LongSupplier nanoTime) {
        this.metrics = metrics;
        this.group = group;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.lastLagNanos = nanoTime.getAsLong() - intervalNanos;
    }

    void report(Consumer<byte[], byte[]> consumer, Collection<PartitionState> states, int inFlight) {
        metrics.inFlight(group, inFlight);
        Set<TopicPartition> paused = consumer.paused();
        for (PartitionState s : states) {
            boolean p = paused.contains(s.partition);
            if (s.reportedPaused == null || s.reportedPaused != p) {
                s.reportedPaused = p;
                metrics.partitionPaused(group, s.partition.topic(), s.partition.partition(), p);
            }
        }
        long now = nanoTime.getAsLong();
        if (now - lastLagNanos >= intervalNanos) {
            lastLagNanos = now;
            for (PartitionState s : states) {
                OptionalLong lag = lag(consumer, s);
                if (lag.isPresent()) {
                    metrics.partitionLag(group, s.partition.topic(), s.partition.partition(), lag.getAsLong());
                }
            }
        }
    }

    /** @return end offset minus committed offset, if the consumer knows the end offset and the position */
    static OptionalLong lag(Consumer<byte[], byte[]> consumer, PartitionState s) {
        try {
            OptionalLong behindPosition = consumer.currentLag(s.partition);
            if (behindPosition.isEmpty()) {
                return OptionalLong.empty();
            }
            long position = consumer.position(s.partition, Duration.ZERO);
            long end = position + behindPosition.getAsLong();
            long committable = s.tracker.committable();
            long committed = s.committed >= 0 ? s.committed : committable >= 0 ? committable : position;
            return OptionalLong.of(Math.max(0, end - committed));
        } catch (RuntimeException unknownYet) {
            return OptionalLong.empty();
        }
    }
}
