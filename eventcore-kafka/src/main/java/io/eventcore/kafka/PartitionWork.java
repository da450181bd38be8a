package io.eventcore.kafka;

import io.eventcore.InboundMessage;
import io.eventcore.transport.ConsumerMetrics;
import io.eventcore.transport.Ordering;
import io.eventcore.transport.internal.BatchSettlement;
import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.Settlement;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions' work queues: hands each record to a worker queue chosen by the ordering mode
 * (one per topic and key, one per partition, or none), tracks its offset and the in-flight counts,
 * and applies what workers report back ({@link WorkSignals}) to the partition states.
 *
 * <p>Every record carries its partition's ownership epoch (the {@link PartitionState} it was
 * submitted under) through a {@link RecordLease}. {@link #retire Retiring} an epoch releases its
 * in-flight slots at once; its queued work never starts, its {@code FAILED} loops stop at their
 * next back-off, and its late results and signals are ignored.
 *
 * <p>Every method but {@link #fatal()} runs on the poll thread.
 */
final class PartitionWork {
    private static final Logger log = LoggerFactory.getLogger(PartitionWork.class);
    /** The group of records that have no ordering key (batch routes). */
    private static final Object NO_KEY = new Object();

    /** The KEY-mode ordering key: the same key in two topics is two keys. */
    record TopicKey(String topic, ByteBuffer key) {
    }

    private final Assignments assignments;
    private final WorkSignals signals;
    private final KeyedSerialExecutor workers;
    private final Settlement settlement;
    private final Ordering ordering;
    private final String groupId;
    private final ConsumerMetrics metrics;
    private int inFlight;
    private volatile Throwable fatal;
    /** Exactly-once mode: holds each record's output until its offset commits; {@code null} otherwise. */
    private ConsumerTransactions transactions;

    PartitionWork(Assignments assignments, WorkSignals signals, KeyedSerialExecutor workers, Settlement settlement,
            Ordering ordering, String groupId) {
        this(assignments, signals, workers, settlement, ordering, groupId, ConsumerMetrics.noop());
    }

    PartitionWork(Assignments assignments, WorkSignals signals, KeyedSerialExecutor workers, Settlement settlement,
            Ordering ordering, String groupId, ConsumerMetrics metrics) {
        this.assignments = assignments;
        this.signals = signals;
        this.workers = workers;
        this.settlement = settlement;
        this.ordering = ordering;
        this.groupId = groupId;
        this.metrics = metrics;
    }

    /** Exactly-once mode: each record submitted from now on gets a scope that holds its output. */
    void transactions(ConsumerTransactions tx) {
        this.transactions = tx;
    }

    /**
     * Tracks the record's offset and queues it for a worker under its partition's epoch.
     *
     * @param unordered run it without ordering (a retry-topic record: its order was already given up)
     */
    void submit(PartitionState state, ConsumerRecord<byte[], byte[]> record, boolean unordered) {
        long offset = record.offset();
        InboundMessage message = KafkaRecords.toMessage(record, groupId);
        state.track(offset, System.nanoTime());
        state.inFlight++;
        inFlight++;
        if (transactions != null) {
            transactions.open(state, offset, message);
        }
        RecordLease lease = new RecordLease(state, offset, signals, metrics, groupId);
        Object key = unordered ? null : orderingKey(record);
        ConsumerTransactions tx = transactions;
        workers.submit(key, () -> settlement.process(message, lease))
                .whenComplete((v, t) -> {
                    if (tx != null) {
                        tx.forget(message);
                    }
                    signals.post(WorkSignals.completion(state, offset, t));
                });
    }

    /**
     * Batch routes: tracks the records' offsets and queues them in groups, one per ordering key (records without
     * one form a group of their own), each group one worker task that {@link Settlement#processBatch settles} its
     * records in order and reports each as it ends.
     */
    void submitGroups(PartitionState state, List<ConsumerRecord<byte[], byte[]>> records) {
        Map<Object, Group> groups = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) { // tracked in offset order, then grouped
            long offset = record.offset();
            InboundMessage message = KafkaRecords.toMessage(record, groupId);
            state.track(offset, System.nanoTime());
            state.inFlight++;
            inFlight++;
            if (transactions != null) {
                transactions.open(state, offset, message);
            }
            Object key = orderingKey(record);
            groups.computeIfAbsent(key != null ? key : NO_KEY, k -> new Group())
                    .add(message, new RecordLease(state, offset, signals, metrics, groupId));
        }
        groups.forEach((key, group) -> submitGroup(state, key == NO_KEY ? null : key, group));
    }

    /** One ordering key's records of a poll. */
    private static final class Group {
        final List<InboundMessage> messages = new ArrayList<>();
        final List<RecordLease> leases = new ArrayList<>();

        void add(InboundMessage message, RecordLease lease) {
            messages.add(message);
            leases.add(lease);
        }
    }

    private void submitGroup(PartitionState state, Object key, Group group) {
        int n = group.messages.size();
        ConsumerTransactions tx = transactions;
        boolean[] ended = new boolean[n];
        BatchSettlement.Settled settled = (i, failure) -> {
            ended[i] = true;
            if (tx != null) {
                tx.forget(group.messages.get(i));
            }
            signals.post(WorkSignals.completion(state, group.messages.get(i).offset(), failure));
        };
        workers.submit(key, () -> settlement.processBatch(group.messages, group.leases, settled, key != null))
                .whenComplete((v, t) -> {
                    for (int i = 0; i < n; i++) {
                        if (!ended[i]) { // the group's task itself failed (rejected at shutdown, say)
                            settled.settled(i, t != null ? t
                                    : new Settlement.AbandonedException(group.messages.get(i)));
                        }
                    }
                });
    }

    private Object orderingKey(ConsumerRecord<byte[], byte[]> record) {
        if (ordering == Ordering.PARTITION) {
            return new TopicPartition(record.topic(), record.partition());
        }
        if (ordering == Ordering.KEY && record.key() != null) {
            return new TopicKey(record.topic(), ByteBuffer.wrap(record.key()));
        }
        return null;
    }

    /** @return records in flight across all partitions (retired epochs excluded) */
    int inFlight() {
        return inFlight;
    }

    /** Any thread: the JVM error on a record's path, or {@code null}. */
    Throwable fatal() {
        return fatal;
    }

    /**
     * Ends an epoch: its in-flight slots are released now, its queued work never starts, its
     * {@code FAILED} loops stop, and what its work reports later is ignored. Idempotent.
     */
    void retire(PartitionState state) {
        if (state.retired) {
            return;
        }
        state.retired = true;
        if (transactions != null) {
            transactions.discard(state);
        }
        inFlight -= state.inFlight;
        state.inFlight = 0;
        state.blocked = 0;
        metrics.partitionReleased(groupId, state.partition.topic(), state.partition.partition());
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
        if (s.kind() == WorkSignals.Kind.FATAL) {
            // A JVM error stops the consumer whichever epoch it came from.
            fatal = s.error() != null ? s.error() : new IllegalStateException("fatal dispatch");
            log.error("consumer {} stops: a fatal error at {}@{}", groupId, state == null ? "?" : state.partition,
                    s.offset(), fatal);
            return;
        }
        if (state == null || state.retired) {
            return; // an ended epoch: its slots were released when it ended
        }
        switch (s.kind()) {
            case DONE -> {
                release(state);
                if (assignments.isCurrent(state)) {
                    state.complete(s.offset(), System.nanoTime());
                }
            }
            case ABANDONED -> {
                release(state);
                if (!(s.error() instanceof Settlement.AbandonedException)) {
                    log.error("consumer {}: {}@{} ended without an outcome; it stays uncommitted", groupId,
                            state.partition, s.offset(), s.error());
                }
            }
            case BLOCKED -> state.blocked++;
            case UNBLOCKED -> {
                if (state.blocked > 0) {
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
    void drain(Collection<PartitionState> which, java.time.Duration timeout) {
        drain(which, System.nanoTime() + timeout.toNanos());
    }

    /**
     * Waits until {@code which} have no work in flight, the deadline passes, or a fatal error stops
     * the consumer.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value
     */
    void drain(Collection<PartitionState> which, long deadlineNanos) {
        applySignals();
        while (which.stream().anyMatch(s -> s.inFlight > 0) && fatal == null) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || !signals.await(Math.max(1, Math.min(10, left / 1_000_000)))) {
                return;
            }
            applySignals();
        }
    }
}
