package io.eventcore.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the highest contiguous completed offset of each partition: asynchronously once per
 * commit interval, synchronously on revoke and close (in exactly-once mode every commit is a
 * transaction, see {@link ConsumerTransactions}). Only offsets that advanced since the last
 * successful commit are sent. Runs on the poll thread (the async callback does too).
 */
final class CommitScheduler {
    private static final Logger log = LoggerFactory.getLogger(CommitScheduler.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Assignments assignments;
    private final long intervalNanos;
    private final Duration syncTimeout;
    private final String groupId;
    private final LongSupplier nanoTime;
    private long lastCommitNanos;
    /** Exactly-once mode: offsets commit in a transaction with the records' output; {@code null} otherwise. */
    private ConsumerTransactions transactions;

    /**
     * @param interval time between async commits
     * @param syncTimeout bound of one sync commit
     * @param nanoTime the clock, {@code System::nanoTime} outside tests
     */
    CommitScheduler(Consumer<byte[], byte[]> consumer, Assignments assignments, Duration interval,
            Duration syncTimeout, String groupId, LongSupplier nanoTime) {
        this.consumer = consumer;
        this.assignments = assignments;
        this.intervalNanos = interval.toNanos();
        this.syncTimeout = syncTimeout;
        this.groupId = groupId;
        this.nanoTime = nanoTime;
        this.lastCommitNanos = nanoTime.getAsLong();
    }

    /** Exactly-once mode: every commit is a transaction of the records' output and their offsets. */
    void transactions(ConsumerTransactions tx) {
        this.transactions = tx;
    }

    /** Commits every owned partition asynchronously if the commit interval has passed. */
    void maybeCommit() {
        long now = nanoTime.getAsLong();
        if (now - lastCommitNanos < intervalNanos) {
            return;
        }
        lastCommitNanos = now;
        commitAsync(assignments.all());
    }

    /** Commits asynchronously; a failure is logged and the next interval tries again. */
    void commitAsync(Collection<PartitionState> which) {
        if (transactions != null) {
            transactions.commit(which, syncTimeout);
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = advanced(which);
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commitAsync(offsets, (done, error) -> {
            if (error != null) {
                log.warn("consumer {} async commit failed (will retry): {}", groupId, error.toString());
            } else {
                done.forEach((tp, om) -> markCommitted(tp, om.offset()));
            }
        });
    }

    /** Commits synchronously within the sync timeout; a failure is logged, not thrown. */
    void commitSync(Collection<PartitionState> which) {
        commitSync(which, syncTimeout);
    }

    /** Commits synchronously within {@code timeout} (at most the sync timeout); a failure is logged, not thrown. */
    void commitSync(Collection<PartitionState> which, Duration timeout) {
        if (transactions != null) {
            transactions.commit(which, timeout);
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = advanced(which);
        if (offsets.isEmpty()) {
            return;
        }
        Duration bound = timeout.compareTo(syncTimeout) < 0 ? timeout : syncTimeout;
        try {
            try {
                consumer.commitSync(offsets, bound);
            } catch (WakeupException e) {
                // close() may wake the consumer after the loop left poll(); the wake-up is spent
                // on this call, so the commit itself can go through now.
                consumer.commitSync(offsets, bound);
            }
            offsets.forEach((tp, om) -> markCommitted(tp, om.offset()));
        } catch (RuntimeException e) {
            log.warn("consumer {} could not commit {}: {}", groupId, offsets, e.toString());
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> advanced(Collection<PartitionState> which) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionState state : which) {
            long next = state.advancedCommit();
            if (next >= 0) {
                offsets.put(state.partition, new OffsetAndMetadata(next));
            }
        }
        return offsets;
    }

    private void markCommitted(TopicPartition tp, long offset) {
        PartitionState state = assignments.get(tp);
        if (state != null && offset > state.committed) {
            state.committed = offset;
        }
    }
}
