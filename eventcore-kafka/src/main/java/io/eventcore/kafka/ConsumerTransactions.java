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
        private final ConsumerTransactions host;
        private final List<Held> held = new ArrayList<>(2);

        Scope(PartitionState state, long offset, InboundMessage message, ConsumerTransactions host) {
            this.state = state;
            this.offset = offset;
            this.message = message;
            this.host = host;
        }

        CompletableFuture<PublishReceipt> hold(ProducerRecord<byte[], byte[]> record, HandlerAttempt attempt) {
            if (state.retired || host.closed) {
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
    /** Positions of a transaction whose {@code commitTransaction} is under way or timed out; poll thread. */
    private Map<PartitionState, Long> pending;
    /** Whether commits go one partition at a time, after a failed one; poll thread. */
    private boolean isolate;
    private volatile long failingSinceNanos;
    private volatile Throwable lastFailure;
    private volatile boolean closed;

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
        Scope scope = new Scope(state, offset, message, this);
        scopes.put(message, scope);
        byPartition.computeIfAbsent(state, s -> new TreeMap<>()).put(offset, scope);
    }

    /** @return the scope of a message of this consumer being handled, or {@code null}; any thread */
    Scope scope(InboundMessage message) {
        return scopes.get(message);
    }

    /**
     * Any thread: the record's work ended; nothing more is sent for it. Until then its scope stays findable, also
     * after its partition was revoked or the consumer closed, so a late send is refused instead of sent directly.
     */
    void forget(InboundMessage message) {
        scopes.remove(message);
        if (closed && scopes.isEmpty()) {
            leaveOutputs();
        }
    }

    /** Poll thread: an ended epoch; its held output is dropped (the records are handled again by their new owner). */
    void discard(PartitionState state) {
        byPartition.remove(state);
    }

    /** @return records whose output is held for a commit (poll thread): they count against back-pressure */
    int held() {
        int n = 0;
        for (TreeMap<Long, Scope> p : byPartition.values()) {
            n += p.size();
        }
        return n;
    }

    /** @return since when ({@link System#nanoTime()}) commits have failed, or {@code 0} while they succeed */
    long failingSince() {
        return failingSinceNanos;
    }

    /** @return the last commit failure, or {@code null} */
    Throwable lastFailure() {
        return lastFailure;
    }

    /**
     * Poll thread: commits the held output of every record below each partition's commit position and those
     * positions: in one transaction, or, after a failure, one per partition until a round of them succeeds (so a
     * record the broker refuses holds back only its own partition). Nothing happens when no position advanced.
     */
    void commit(Collection<PartitionState> which, Duration timeout) {
        if (!isolate) {
            isolate = !commitTogether(which);
            return;
        }
        boolean all = true;
        for (PartitionState state : which) {
            all &= commitTogether(List.of(state));
        }
        isolate = !all;
    }

    /** One transaction for {@code which}; a commit whose {@code commitTransaction} timed out is completed first. */
    private boolean commitTogether(Collection<PartitionState> which) {
        if (pending != null && !retryPending()) {
            return false;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<PartitionState, Long> positions = new HashMap<>();
        List<Scope> released = new ArrayList<>();
        for (PartitionState state : which) {
            long next = state.advancedCommit();
            if (next < 0) {
                continue;
            }
            offsets.put(state.partition, new OffsetAndMetadata(next));
            positions.put(state, next);
            TreeMap<Long, Scope> held = byPartition.get(state);
            if (held != null) {
                released.addAll(held.headMap(next).values());
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
            pending = positions;
            p.commitTransaction();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            failed(e, pending != null); // kept pending: its outcome is known only once commitTransaction is retried
            return false;
        } catch (RuntimeException e) {
            pending = null;
            failed(e, false);
            if (unrecoverable(e)) {
                // No later commit can succeed: stop the consumer (health DOWN) rather than consume and hold for ever.
                throw new IllegalStateException("consumer " + groupId + " cannot commit in transactions: " + e, e);
            }
            return false;
        }
        committed();
        return true;
    }

    /** Failures no retry cures: a refused transactional id, an unsupported broker, a timeout the broker rejects. */
    private static boolean unrecoverable(Throwable e) {
        return e instanceof org.apache.kafka.common.errors.TransactionalIdAuthorizationException
                || e instanceof org.apache.kafka.common.errors.ClusterAuthorizationException
                || e instanceof org.apache.kafka.common.errors.UnsupportedVersionException
                || e instanceof org.apache.kafka.common.errors.InvalidTxnTimeoutException;
    }

    /** Retries a {@code commitTransaction} that timed out: Kafka then reports how the transaction ended. */
    private boolean retryPending() {
        try {
            producer.commitTransaction();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            failed(e, true);
            return false;
        } catch (RuntimeException e) {
            pending = null;
            failed(e, false);
            return false;
        }
        committed();
        return true;
    }

    /** The transaction of {@link #pending} committed: its positions are committed and its held output released. */
    private void committed() {
        for (Map.Entry<PartitionState, Long> e : pending.entrySet()) {
            PartitionState state = e.getKey();
            if (e.getValue() > state.committed) {
                state.committed = e.getValue();
            }
            TreeMap<Long, Scope> held = byPartition.get(state);
            if (held != null) {
                held.headMap(e.getValue()).clear();
            }
        }
        pending = null;
        failingSinceNanos = 0;
        lastFailure = null;
    }

    private void failed(RuntimeException e, boolean keepProducer) {
        if (failingSinceNanos == 0) {
            failingSinceNanos = System.nanoTime();
        }
        lastFailure = e;
        boolean fenced = e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException
                || e.getCause() instanceof ProducerFencedException;
        log.warn("consumer {}: the transaction of its output and offsets failed{}; {}: {}", groupId,
                fenced ? " (producer fenced)" : "", keepProducer ? "its commit is retried"
                        : "nothing of it is visible, it is tried again at the next commit", e.toString());
        if (producer == null || keepProducer) {
            return;
        }
        if (!fenced) {
            try {
                producer.abortTransaction();
                return;
            } catch (RuntimeException abortFailed) {
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

    /**
     * Closes the producer (aborting an open transaction). The outputs stay joined until the last running record's
     * work ends, so its late sends are refused rather than sent outside a transaction.
     */
    @Override
    public void close() {
        closed = true;
        closeProducer();
        byPartition.clear();
        if (scopes.isEmpty()) {
            leaveOutputs();
        }
    }

    private void leaveOutputs() {
        outputs.forEach(o -> joinedOf(o).remove(this));
    }

    private static Joined joinedOf(KafkaOutput output) {
        return output instanceof KafkaEventPublisher p ? p.joined : ((KafkaDeadLetterSink) output).joined;
    }
}
