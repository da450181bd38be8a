package io.eventcore.kafka;

import io.eventcore.InboundMessage;
import io.eventcore.internal.HandlerAttempt;
import io.eventcore.transport.PublishReceipt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once mode of one consumer (consume &rarr; produce in one Kafka transaction). What a record's
 * handling sends through a joined {@link KafkaOutput} (and its retry-topic copy) is held in the record's
 * {@link Scope}; the poll thread commits, once per commit interval and on revoke and close, one transaction per
 * commit: the held records of every record below each partition's commit position, in offset order, then the
 * positions themselves through {@code sendOffsetsToTransaction} with the consumer's group metadata. A record's
 * output is therefore visible to {@code read_committed} readers exactly when its offset is committed: a record
 * handled again after a crash or a rebalance produces its output again only if the first output was never
 * committed. What a failed handler attempt sent is dropped (see {@link HandlerAttempt}).
 *
 * <p>A commit that fails is aborted and tried again at the next commit with the same held records; nothing is
 * lost and nothing of the aborted transaction is visible. A fenced producer (another instance took the
 * transactional id, or the group moved on) is replaced. Scope lookups run on any thread; everything else on the
 * poll thread.
 */
final class ConsumerTransactions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerTransactions.class);

    /** The consumers an output joined; the output asks them for the scope of the message being handled. */
    static final class Joined {
        private final List<ConsumerTransactions> hosts = new CopyOnWriteArrayList<>();

        void add(ConsumerTransactions host) {
            hosts.add(host);
        }

        void remove(ConsumerTransactions host) {
            hosts.remove(host);
        }

        /** @return whether a joined consumer holds what is sent on this thread now */
        boolean holdsCurrent() {
            HandlerAttempt attempt = hosts.isEmpty() ? null : HandlerAttempt.current();
            if (attempt != null) {
                for (ConsumerTransactions host : hosts) {
                    if (host.scopes.containsKey(attempt.message())) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** @return whether the output joined any consumer */
        boolean any() {
            return !hosts.isEmpty();
        }

        /**
         * Holds {@code record} back for the record being handled on this thread, if it belongs to a consumer this
         * output joined.
         *
         * @return the held send's stage, or {@code null} to send as usual
         */
        CompletableFuture<PublishReceipt> capture(ProducerRecord<byte[], byte[]> record) {
            if (hosts.isEmpty()) {
                return null;
            }
            HandlerAttempt attempt = HandlerAttempt.current();
            if (attempt == null) {
                return null;
            }
            for (ConsumerTransactions host : hosts) {
                Scope scope = host.scopes.get(attempt.message());
                if (scope != null) {
                    return scope.hold(record, attempt);
                }
            }
            return null;
        }
    }

    /** A record sent while handling a message, and the attempt that sent it ({@code null}: not a handler's). */
    private record Held(ProducerRecord<byte[], byte[]> record, HandlerAttempt attempt) {
    }

    /** One consumed record's held output. */
    static final class Scope {
        final PartitionState state;
        final long offset;
        final InboundMessage message;
        private final List<Held> held = new ArrayList<>(2);

        Scope(PartitionState state, long offset, InboundMessage message) {
            this.state = state;
            this.offset = offset;
            this.message = message;
        }

        CompletableFuture<PublishReceipt> hold(ProducerRecord<byte[], byte[]> record, HandlerAttempt attempt) {
            if (state.retired) {
                return CompletableFuture.failedFuture(new IllegalStateException("not sent: the partition of "
                        + state.partition + "@" + offset + " was revoked; its new owner handles it again"));
            }
            synchronized (held) {
                held.add(new Held(record, attempt));
            }
            return CompletableFuture.completedFuture(new PublishReceipt(record.topic(),
                    record.partition() == null ? -1 : record.partition(), -1));
        }

        List<ProducerRecord<byte[], byte[]>> output() {
            synchronized (held) {
                List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(held.size());
                for (Held h : held) {
                    if (h.attempt() == null || !h.attempt().failed()) {
                        out.add(h.record());
                    }
                }
                return out;
            }
        }
    }

    private final Map<InboundMessage, Scope> scopes = new ConcurrentHashMap<>();
    private final Map<PartitionState, TreeMap<Long, Scope>> byPartition = new HashMap<>();
    private final Supplier<Producer<byte[], byte[]>> producers;
    private final Supplier<ConsumerGroupMetadata> groupMetadata;
    private final List<KafkaOutput> outputs;
    private final String groupId;
    private Producer<byte[], byte[]> producer;

    /**
     * @param producers makes a transactional producer (its {@code transactional.id} set); called again after a fence
     * @param groupMetadata the consumer's group metadata (poll thread)
     * @param outputs the outputs that join this consumer's transactions
     */
    ConsumerTransactions(Supplier<Producer<byte[], byte[]>> producers, Supplier<ConsumerGroupMetadata> groupMetadata,
            List<KafkaOutput> outputs, String groupId) {
        this.producers = producers;
        this.groupMetadata = groupMetadata;
        this.outputs = List.copyOf(outputs);
        this.groupId = groupId;
        this.outputs.forEach(o -> joinedOf(o).add(this));
    }

    /** Poll thread: a record handed out; what it sends from now on is held. */
    void open(PartitionState state, long offset, InboundMessage message) {
        Scope scope = new Scope(state, offset, message);
        scopes.put(message, scope);
        byPartition.computeIfAbsent(state, s -> new TreeMap<>()).put(offset, scope);
    }

    /** @return the scope of a message of this consumer being handled, or {@code null}; any thread */
    Scope scope(InboundMessage message) {
        return scopes.get(message);
    }

    /** Poll thread: an ended epoch; its held output is dropped (the records are handled again by their new owner). */
    void discard(PartitionState state) {
        TreeMap<Long, Scope> gone = byPartition.remove(state);
        if (gone != null) {
            gone.values().forEach(s -> scopes.remove(s.message));
        }
    }

    /**
     * Poll thread: commits, in one transaction, the held output of every record below each partition's commit
     * position and those positions. Nothing happens when no position advanced.
     *
     * @return whether the transaction committed (or there was nothing to commit)
     */
    boolean commit(Collection<PartitionState> which, Duration timeout) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        List<Scope> released = new ArrayList<>();
        Map<PartitionState, Long> positions = new HashMap<>();
        for (PartitionState state : which) {
            long next = state.advancedCommit();
            if (next < 0) {
                continue;
            }
            offsets.put(state.partition, new OffsetAndMetadata(next));
            positions.put(state, next);
            TreeMap<Long, Scope> pending = byPartition.get(state);
            if (pending != null) {
                released.addAll(pending.headMap(next).values());
            }
        }
        if (offsets.isEmpty()) {
            return true;
        }
        try {
            Producer<byte[], byte[]> p = producer();
            p.beginTransaction();
            for (Scope scope : released) {
                for (ProducerRecord<byte[], byte[]> r : scope.output()) {
                    p.send(r);
                }
            }
            p.sendOffsetsToTransaction(offsets, groupMetadata.get());
            p.commitTransaction();
        } catch (RuntimeException e) {
            failed(e);
            return false;
        }
        for (Map.Entry<PartitionState, Long> e : positions.entrySet()) {
            PartitionState state = e.getKey();
            if (e.getValue() > state.committed) {
                state.committed = e.getValue();
            }
            TreeMap<Long, Scope> pending = byPartition.get(state);
            if (pending != null) {
                Map<Long, Scope> done = pending.headMap(e.getValue());
                done.values().forEach(s -> scopes.remove(s.message));
                done.clear();
            }
        }
        return true;
    }

    private void failed(RuntimeException e) {
        boolean fenced = e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException
                || e.getCause() instanceof ProducerFencedException;
        log.warn("consumer {}: the transaction of its output and offsets failed{}; nothing of it is visible, it is "
                + "tried again at the next commit: {}", groupId, fenced ? " (producer fenced)" : "", e.toString());
        if (producer == null) {
            return;
        }
        if (!fenced) {
            try {
                producer.abortTransaction();
                return;
            } catch (KafkaException abortFailed) {
                log.debug("abort failed; replacing the producer", abortFailed);
            }
        }
        closeProducer();
    }

    private Producer<byte[], byte[]> producer() {
        if (producer == null) {
            Producer<byte[], byte[]> p = producers.get();
            try {
                p.initTransactions();
            } catch (RuntimeException e) {
                p.close(Duration.ZERO);
                throw e;
            }
            producer = p;
        }
        return producer;
    }

    private void closeProducer() {
        Producer<byte[], byte[]> p = producer;
        producer = null;
        if (p != null) {
            try {
                p.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("closing the transactional producer failed", e);
            }
        }
    }

    /** Leaves the outputs and closes the producer (aborting an open transaction). */
    @Override
    public void close() {
        outputs.forEach(o -> joinedOf(o).remove(this));
        closeProducer();
        scopes.clear();
        byPartition.clear();
    }

    /** @return how many records' output is held (for tests) */
    int held() {
        return scopes.size();
    }

    private static Joined joinedOf(KafkaOutput output) {
        return output instanceof KafkaEventPublisher p ? p.joined : ((KafkaDeadLetterSink) output).joined;
    }
}
