package io.eventcore.kafka;

import io.eventcore.transport.Ordering;
import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.Settlement;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions' work queues: hands each record to a worker queue chosen by the ordering mode
 * (one per key, one per partition, or none), tracks its offset and the in-flight counts, and
 * applies what workers report back ({@link WorkSignals}) to the partition states. Results for a
 * partition that was revoked meanwhile only release its in-flight count; they never complete an
 * offset of the new assignment.
 *
 * <p>Every method but {@link #fatal()} runs on the poll thread.
 */
final class PartitionWork {
    private static final Logger log = LoggerFactory.getLogger(PartitionWork.class);

    private final Assignments assignments;
    private final WorkSignals signals;
    private final KeyedSerialExecutor workers;
    private final Settlement settlement;
    private final Ordering ordering;
    private final String groupId;
    private int inFlight;
    private volatile Throwable fatal;

    PartitionWork(Assignments assignments, WorkSignals signals, KeyedSerialExecutor workers, Settlement settlement,
            Ordering ordering, String groupId) {
        this.assignments = assignments;
        this.signals = signals;
        this.workers = workers;
        this.settlement = settlement;
        this.ordering = ordering;
        this.groupId = groupId;
    }

    /**
     * Tracks the record's offset and queues it for a worker.
     *
     * @param unordered run it without ordering (a retry-topic record: its order was already given up)
     */
    void submit(PartitionState state, ConsumerRecord<byte[], byte[]> record, boolean unordered) {
        state.tracker.track(record.offset());
        state.inFlight++;
        inFlight++;
        Object key = unordered ? null : orderingKey(record);
        workers.submit(key, () -> settlement.process(KafkaRecords.toMessage(record, groupId)))
                .whenComplete((v, t) -> signals.post(WorkSignals.completion(state, record.offset(), t)));
    }

    private Object orderingKey(ConsumerRecord<byte[], byte[]> record) {
        if (ordering == Ordering.PARTITION) {
            return new TopicPartition(record.topic(), record.partition());
        }
        if (ordering == Ordering.KEY && record.key() != null) {
            return ByteBuffer.wrap(record.key());
        }
        return null;
    }

    /** @return records in flight across all partitions */
    int inFlight() {
        return inFlight;
    }

    /** Any thread: the JVM error a handler threw, or {@code null}. */
    Throwable fatal() {
        return fatal;
    }

    /** Applies every queued signal. */
    void applySignals() {
        WorkSignals.Signal s;
        while ((s = signals.poll()) != null) {
            apply(s);
        }
    }

    private void apply(WorkSignals.Signal s) {
        PartitionState state = s.state();
        boolean current = assignments.isCurrent(state);
        switch (s.kind()) {
            case DONE -> {
                if (state != null) {
                    release(state);
                    if (current) {
                        state.tracker.complete(s.offset());
                        state.lastProgressNanos = System.nanoTime();
                    }
                }
            }
            case ABANDONED -> {
                if (state != null) {
                    release(state);
                }
            }
            case FATAL -> {
                fatal = s.error() != null ? s.error() : new IllegalStateException("fatal dispatch");
                log.error("consumer {} stops: a handler threw a fatal error at {}-{}", groupId,
                        state == null ? "?" : state.partition, s.offset(), fatal);
            }
            case BLOCKED -> {
                if (current) {
                    state.blocked++;
                }
            }
            case UNBLOCKED -> {
                if (current && state.blocked > 0) {
                    state.blocked--;
                }
            }
            default -> throw new IllegalStateException(s.kind().toString());
        }
    }

    private void release(PartitionState state) {
        state.inFlight--;
        inFlight--;
    }

    /** Waits until {@code which} have no work in flight, the timeout passes, or a fatal error stops the consumer. */
    void drain(Collection<PartitionState> which, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (which.stream().anyMatch(s -> s.inFlight > 0) && System.nanoTime() < deadline && fatal == null) {
            if (!signals.await(10)) {
                return;
            }
            applySignals();
        }
    }
}
