package io.eventcore.test;

import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.PublishTransaction;
import io.eventcore.transport.TransactionFencedException;
import io.eventcore.transport.TransactionalStream;
import io.eventcore.transport.Transactions;
import java.util.Optional;
import io.eventcore.routing.EventRouter;
import io.eventcore.InboundMessage;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.internal.Checks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory log broker for tests: topics split into partitions, append-only, with committed
 * offsets per consumer group, like Kafka without the network. Messages with the same key land in
 * the same partition; keyless messages are spread round-robin.
 *
 * <p>Use {@link #publisher()} to send and {@link #consumer(String, String, EventRouter)} to
 * consume. Each group is served by one consumer at a time (no rebalancing). Thread-safe.
 */
public final class InMemoryBroker {
    /** Partitions of topics created implicitly: {@value}. */
    public static final int DEFAULT_PARTITIONS = 4;

    private final Map<String, List<List<InboundMessage>>> topics = new ConcurrentHashMap<>();
    private final Map<String, Long> committed = new ConcurrentHashMap<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicBoolean unavailable = new AtomicBoolean();
    private final Object appended = new Object();

    /**
     * Creates a topic. Idempotent for the same partition count.
     *
     * @param name topic name
     * @param partitions partition count, &gt;= 1
     * @throws IllegalStateException if it exists with another partition count
     */
    public void createTopic(String name, int partitions) {
        Checks.notBlank("topic", name);
        Checks.atLeast("partitions", partitions, 1);
        List<List<InboundMessage>> created = topics.computeIfAbsent(name, n -> newPartitions(partitions));
        if (created.size() != partitions) {
            throw new IllegalStateException("topic " + name + " exists with " + created.size() + " partitions");
        }
    }

    private static List<List<InboundMessage>> newPartitions(int count) {
        List<List<InboundMessage>> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            parts.add(new ArrayList<>());
        }
        return List.copyOf(parts);
    }

    private List<List<InboundMessage>> topic(String name) {
        return topics.computeIfAbsent(name, n -> newPartitions(DEFAULT_PARTITIONS));
    }

    /**
     * @param name topic name
     * @return its partition count (creating it with {@value #DEFAULT_PARTITIONS} if absent)
     */
    public int partitions(String name) {
        return topic(name).size();
    }

    /**
     * Makes every send fail (as if the broker were down) until called with {@code false}.
     *
     * @param down whether the broker refuses sends
     */
    public void setUnavailable(boolean down) {
        unavailable.set(down);
    }

    PublishReceipt append(OutboundMessage message) {
        if (unavailable.get()) {
            throw new IllegalStateException("in-memory broker unavailable (simulated)");
        }
        List<List<InboundMessage>> parts = topic(message.topic());
        int p = message.key() == null ? Math.floorMod(roundRobin.getAndIncrement(), parts.size())
                : Math.floorMod(message.key().hashCode(), parts.size());
        List<InboundMessage> log = parts.get(p);
        PublishReceipt receipt;
        synchronized (log) {
            // Stored once and handed to every consumer as it is. The value is the publisher's array, so it
            // is copied once here (a broker serialises it); key bytes and the immutable header list are new.
            byte[] value = message.value();
            log.add(InboundMessage.wrap(message.topic(), p, log.size(), Instant.now(), null, message.keyBytes(),
                    value == null ? null : value.clone(), message.headers()));
            receipt = new PublishReceipt(message.topic(), p, log.size() - 1L);
        }
        synchronized (appended) {
            appended.notifyAll();
        }
        return receipt;
    }

    List<InboundMessage> fetch(String topic, int partition, long from, int max) {
        List<InboundMessage> log = topic(topic).get(partition);
        synchronized (log) {
            int start = (int) Math.min(from, log.size());
            int end = (int) Math.min(log.size(), start + (long) max);
            return new ArrayList<>(log.subList(start, end));
        }
    }

    void awaitAppend(long millis) throws InterruptedException {
        synchronized (appended) {
            appended.wait(millis);
        }
    }

    void commit(String group, String topic, int partition, long offset) {
        committed.merge(group + '\u0000' + topic + '\u0000' + partition, offset, Math::max);
    }

    /**
     * @param group consumer group
     * @param topic topic
     * @param partition partition
     * @return the committed offset (next to consume), 0 when nothing was committed
     */
    public long committedOffset(String group, String topic, int partition) {
        return committed.getOrDefault(group + '\u0000' + topic + '\u0000' + partition, 0L);
    }

    /**
     * @param topic a topic
     * @return every message in the topic, partition by partition (a snapshot)
     */
    public List<InboundMessage> messages(String topic) {
        List<InboundMessage> all = new ArrayList<>();
        for (List<InboundMessage> log : topic(topic)) {
            synchronized (log) {
                all.addAll(log);
            }
        }
        return all;
    }

    /**
     * @return a publisher appending to this broker, with {@link EventPublisher#transactions() transactions}
     *     ({@link #transactions()}); closing it does nothing
     */
    public EventPublisher publisher() {
        return new EventPublisher() {
            @Override
            public CompletionStage<PublishReceipt> send(OutboundMessage message) {
                try {
                    return CompletableFuture.completedFuture(append(message));
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }

            @Override
            public Optional<Transactions> transactions() {
                return Optional.of(transactions);
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * This broker's transactions, as its {@link #publisher()} offers them: a transaction's messages are appended
     * when it commits (consumers and {@link #messages} see only committed messages, like Kafka's
     * {@code read_committed}), and dropped when it aborts; opening a stream id again fences the earlier holder.
     *
     * @return the transactions
     */
    public Transactions transactions() {
        return transactions;
    }

    /**
     * @param streamId a transactional stream id
     * @return the position last committed on it, or empty
     */
    public Optional<String> position(String streamId) {
        synchronized (streams) {
            return Optional.ofNullable(streams.get(streamId)).map(s -> s.position);
        }
    }

    /** The state of one stream id: the epoch of its current holder and its committed position. */
    private static final class StreamState {
        int epoch;
        String position;
    }

    private final Map<String, StreamState> streams = new java.util.HashMap<>();

    private final Transactions transactions = new Transactions() {
        @Override
        public TransactionalStream open(String streamId) {
            Checks.notBlank("streamId", streamId);
            if (unavailable.get()) {
                throw new io.eventcore.EventcoreException("in-memory broker unavailable (simulated)");
            }
            int epoch;
            Optional<String> position;
            synchronized (streams) {
                StreamState state = streams.computeIfAbsent(streamId, id -> new StreamState());
                epoch = ++state.epoch;
                position = Optional.ofNullable(state.position);
            }
            return new MemoryStream(streamId, epoch, position);
        }

        @Override
        public int maxPositionLength() {
            return 4000;
        }
    };

    private final class MemoryStream implements TransactionalStream {
        private final String id;
        private final int epoch;
        private volatile Optional<String> position;
        private MemoryTransaction open;

        MemoryStream(String id, int epoch, Optional<String> position) {
            this.id = id;
            this.epoch = epoch;
            this.position = position;
        }

        void checkEpoch() {
            synchronized (streams) {
                if (streams.get(id).epoch != epoch) {
                    throw new TransactionFencedException(id, null);
                }
            }
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Optional<String> position() {
            return position;
        }

        @Override
        public PublishTransaction begin() {
            if (open != null && !open.ended) {
                throw new IllegalStateException("a transaction of " + id + " is open");
            }
            checkEpoch();
            open = new MemoryTransaction(this);
            return open;
        }

        @Override
        public void close() {
            if (open != null) {
                open.abort();
            }
        }
    }

    private final class MemoryTransaction implements PublishTransaction {
        private final MemoryStream stream;
        private final List<OutboundMessage> buffered = new ArrayList<>();
        volatile boolean ended;

        MemoryTransaction(MemoryStream stream) {
            this.stream = stream;
        }

        @Override
        public CompletionStage<PublishReceipt> send(OutboundMessage message) {
            if (ended) {
                return CompletableFuture.failedFuture(new IllegalStateException("the transaction has ended"));
            }
            if (unavailable.get()) {
                return CompletableFuture.failedFuture(new IllegalStateException("in-memory broker unavailable (simulated)"));
            }
            synchronized (buffered) {
                buffered.add(message);
            }
            List<List<InboundMessage>> parts = topic(message.topic());
            int p = message.key() == null ? 0 : Math.floorMod(message.key().hashCode(), parts.size());
            return CompletableFuture.completedFuture(new PublishReceipt(message.topic(), p, -1));
        }

        @Override
        public CompletionStage<Void> commit(String position) {
            if (ended) {
                return CompletableFuture.failedFuture(new IllegalStateException("the transaction has ended"));
            }
            ended = true;
            try {
                synchronized (streams) {
                    // Under the streams lock: a holder opening the id now waits, then fences the next commit.
                    stream.checkEpoch();
                    if (unavailable.get()) {
                        throw new IllegalStateException("in-memory broker unavailable (simulated)");
                    }
                    synchronized (buffered) {
                        buffered.forEach(InMemoryBroker.this::append);
                        buffered.clear();
                    }
                    if (position != null) {
                        streams.get(stream.id).position = position;
                    }
                }
                if (position != null) {
                    stream.position = Optional.of(position);
                }
                return CompletableFuture.completedFuture(null);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public void abort() {
            ended = true;
            synchronized (buffered) {
                buffered.clear();
            }
        }
    }

    /**
     * @param group consumer group
     * @param topic topic to consume
     * @param router where messages are dispatched
     * @return a builder for a consumer of this broker
     */
    public InMemoryEventConsumer.Builder consumer(String group, String topic, EventRouter router) {
        return new InMemoryEventConsumer.Builder(this, group, topic, router);
    }
}
