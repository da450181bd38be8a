package io.eventcore.kafka;

import io.eventcore.EventcoreException;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.transport.PublishTransaction;
import io.eventcore.transport.TransactionFencedException;
import io.eventcore.transport.TransactionalStream;
import io.eventcore.transport.Transactions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka transactions for {@link KafkaEventPublisher#transactions()}: one transactional producer per open stream,
 * {@code transactional.id = <prefix><stream id>}, so opening a stream ({@code initTransactions}) fences every
 * earlier producer of the id and aborts its open transaction.
 *
 * <p>A stream's position is committed inside its transaction as the offset metadata of partition 0 of the
 * positions topic, for a consumer group named like the transactional id, through
 * {@code sendOffsetsToTransaction}: the broker applies it on commit and drops it on abort, exactly like the
 * offsets of a consume-transform-produce loop. Reading it back is one {@code listConsumerGroupOffsets} with
 * {@code requireStable}, so a position is never read while a transaction that may change it is pending. (A
 * compacted topic of positions would need reading to its end at every take-over; the group coordinator keeps
 * only the latest value per group.) No consumer ever joins those groups; the positions topic holds no records.
 *
 * <p>Thread-safe; each stream is used by one thread at a time, its commits run on a shared pool.
 */
final class KafkaTransactions implements Transactions, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaTransactions.class);

    /**
     * Longest position: below the broker's default {@code offset.metadata.max.bytes} (4096); positions are
     * ASCII.
     */
    static final int MAX_POSITION_LENGTH = 4000;

    /** {@code batch.size} of the transactional producers unless the publisher's properties set one: 128 KiB. */
    static final int TRANSACTIONAL_BATCH_SIZE = 128 * 1024;

    private final Map<String, Object> producerProps;
    private final Map<String, Object> adminProps;
    private final String prefix;
    private final String positionsTopic;
    private final Function<Map<String, Object>, Producer<byte[], byte[]>> producers;
    private final ExecutorService commits = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "eventcore-tx-commit");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean topicChecked;
    private Admin admin;
    /** The publisher's record of topics missing from the metadata: sends to them fail at once, as its own do. */
    private volatile MissingTopics missingTopics;

    /**
     * @param producerProps the publisher's producer properties (idempotent, {@code acks=all})
     * @param adminProps connection and security properties for the admin client
     * @param prefix the transactional id prefix
     * @param timeout {@code transaction.timeout.ms}, or {@code null} for Kafka's default
     * @param positionsTopic where positions are committed
     */
    KafkaTransactions(Map<String, Object> producerProps, Map<String, Object> adminProps, String prefix,
            Duration timeout, String positionsTopic,
            Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        this.producerProps = new HashMap<>(producerProps);
        if (timeout != null) {
            this.producerProps.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) timeout.toMillis());
        }
        this.adminProps = adminProps;
        this.prefix = prefix;
        this.positionsTopic = positionsTopic;
        this.producers = producers != null ? producers
                : p -> new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends of transactions to a topic the publisher found missing fail at once instead of blocking. */
    void missingTopics(MissingTopics topics) {
        this.missingTopics = topics;
    }

    @Override
    public int maxPositionLength() {
        return MAX_POSITION_LENGTH;
    }

    @Override
    public TransactionalStream open(String streamId) {
        return open(streamId, true);
    }

    /** A stream whose position is never read nor committed: for the publisher's own transactions. */
    TransactionalStream openUnpositioned(String streamId) {
        return open(streamId, false);
    }

    private TransactionalStream open(String streamId, boolean positioned) {
        String transactionalId = prefix + streamId;
        Map<String, Object> props = new HashMap<>(producerProps);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // A transaction carries a shard's whole batch, spread over every partition: bigger producer batches halve
        // the broker's work per record (docs/benchmarks.md). The publisher's own batch.size, when set, wins.
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, TRANSACTIONAL_BATCH_SIZE);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "eventcore-tx-" + transactionalId);
        Producer<byte[], byte[]> producer = producers.apply(props);
        try {
            producer.initTransactions();
            Optional<String> position = positioned ? readPosition(transactionalId) : Optional.empty();
            return new KafkaStream(streamId, transactionalId, producer, position);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new EventcoreException("could not open the transactional stream " + transactionalId
                        + " within max.block.ms: the broker is unreachable, or cannot host transactions (a "
                        + "transaction.state.log.replication.factor above the number of brokers?)", e);
            }
            throw e instanceof EventcoreException ee ? ee
                    : new EventcoreException("could not open the transactional stream " + transactionalId + ": " + e, e);
        }
    }

    /** The position last committed with the transactional id, once no transaction of it is pending. */
    private Optional<String> readPosition(String transactionalId) {
        TopicPartition tp = new TopicPartition(positionsTopic, 0);
        try {
            Admin admin = admin();
            ensurePositionsTopic(admin);
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(
                    Map.of(transactionalId, new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(tp))),
                    new ListConsumerGroupOffsetsOptions().requireStable(true))
                    .partitionsToOffsetAndMetadata(transactionalId).get(30, TimeUnit.SECONDS);
            OffsetAndMetadata committed = offsets.get(tp);
            return committed == null || committed.metadata().isEmpty() ? Optional.empty()
                    : Optional.of(committed.metadata());
        } catch (ExecutionException e) {
            throw new EventcoreException("could not read the position of " + transactionalId + ": " + e.getCause(),
                    e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new EventcoreException("could not read the position of " + transactionalId + " within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventcoreException("interrupted while reading the position of " + transactionalId, e);
        }
    }

    /** Positions are offsets of partition 0 of a topic that must exist; it is created once if it does not. */
    private void ensurePositionsTopic(Admin admin) throws ExecutionException, InterruptedException,
            java.util.concurrent.TimeoutException {
        if (topicChecked) {
            return;
        }
        if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(positionsTopic)) {
            int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
            try {
                admin.createTopics(List.of(new NewTopic(positionsTopic, 1, (short) Math.min(3, Math.max(1, brokers)))
                        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
                log.info("created the topic {} for the positions of transactional streams", positionsTopic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        topicChecked = true;
    }

    /** One admin client for every position read, made on first use. */
    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminProps);
        }
        return admin;
    }

    @Override
    public void close() {
        commits.shutdown();
        synchronized (this) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
                admin = null;
            }
        }
    }

    /**
     * Group metadata of a commit outside any membership (generation -1, no member), as a standalone commit is.
     * kafka-clients 4.x marks the public constructors for removal in favour of the consumer's own metadata; a
     * relay has no consumer, so it builds one while they exist.
     */
    @SuppressWarnings("removal")
    static ConsumerGroupMetadata standaloneGroup(String groupId) {
        return new ConsumerGroupMetadata(groupId, -1, "", Optional.empty());
    }

    private static boolean fenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException
                    || t instanceof TransactionFencedException) {
                return true;
            }
        }
        return false;
    }

    private final class KafkaStream implements TransactionalStream {
        private final String id;
        private final String transactionalId;
        private final Producer<byte[], byte[]> producer;
        private final ConsumerGroupMetadata group;
        private final TopicPartition positionPartition = new TopicPartition(positionsTopic, 0);
        private volatile Optional<String> position;
        private KafkaTx open;
        private volatile boolean closed;

        KafkaStream(String id, String transactionalId, Producer<byte[], byte[]> producer, Optional<String> position) {
            this.id = id;
            this.transactionalId = transactionalId;
            this.producer = producer;
            this.position = position;
            this.group = standaloneGroup(transactionalId);
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
            if (closed) {
                throw new IllegalStateException("stream " + transactionalId + " is closed");
            }
            if (open != null && !open.ended) {
                throw new IllegalStateException("a transaction of " + transactionalId + " is open");
            }
            try {
                producer.beginTransaction();
            } catch (KafkaException e) {
                throw fenced(e) ? new TransactionFencedException(transactionalId, e)
                        : new EventcoreException("could not begin a transaction of " + transactionalId, e);
            }
            open = new KafkaTx(this);
            return open;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("closing the producer of {} failed", transactionalId, e);
            }
        }
    }

    private final class KafkaTx implements PublishTransaction {
        private final KafkaStream stream;
        private volatile Throwable firstFailure;
        volatile boolean ended;

        KafkaTx(KafkaStream stream) {
            this.stream = stream;
        }

        @Override
        public CompletionStage<PublishReceipt> send(OutboundMessage message) {
            CompletableFuture<PublishReceipt> result = new CompletableFuture<>();
            MissingTopics missing = missingTopics;
            RuntimeException absent = missing == null ? null : missing.failFast(message.topic());
            if (absent != null) {
                // Not handed to the producer: the transaction stays usable, and this send is this row's failure.
                result.completeExceptionally(absent);
                return result;
            }
            try {
                java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> sent =
                        stream.producer.send(KafkaRecords.toRecord(message), (metadata, error) -> {
                            if (error == null) {
                                result.complete(new PublishReceipt(metadata.topic(), metadata.partition(),
                                        metadata.offset()));
                            } else {
                                result.completeExceptionally(classify(error));
                            }
                        });
                if (missing != null && sent.isDone() && result.isCompletedExceptionally()) {
                    // Failed before send returned: blocked on the topic's metadata. Later sends to it fail at once.
                    result.whenComplete((ignored, error) -> missing.sendFailedEarly(message.topic(), error));
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(classify(e));
            }
            return result;
        }

        /** The first failure is the record's own; the rest, and aborted batches, are consequences of it. */
        private Throwable classify(Throwable error) {
            if (fenced(error)) {
                return new TransactionFencedException(stream.transactionalId, error);
            }
            synchronized (this) {
                if (firstFailure == null && !(error instanceof TransactionAbortedException)) {
                    firstFailure = error;
                    return error;
                }
            }
            return new io.eventcore.transport.SendAbortedException(error);
        }

        @Override
        public CompletionStage<Void> commit(String position) {
            if (position != null && position.length() > MAX_POSITION_LENGTH) {
                throw new IllegalArgumentException("position must be at most " + MAX_POSITION_LENGTH
                        + " chars, but was " + position.length());
            }
            return CompletableFuture.runAsync(() -> {
                try {
                    if (position != null) {
                        stream.producer.sendOffsetsToTransaction(
                                Map.of(stream.positionPartition, new OffsetAndMetadata(0, position)), stream.group);
                    }
                    stream.producer.commitTransaction();
                    if (position != null) {
                        stream.position = Optional.of(position);
                    }
                } catch (RuntimeException e) {
                    if (fenced(e)) {
                        throw new TransactionFencedException(stream.transactionalId, e);
                    }
                    abortQuietly();
                    throw e;
                } finally {
                    ended = true;
                }
            }, commits);
        }

        @Override
        public void abort() {
            abortQuietly();
            ended = true;
        }

        private void abortQuietly() {
            try {
                stream.producer.abortTransaction();
            } catch (RuntimeException e) {
                log.debug("aborting a transaction of {} failed; the stream will be reopened", stream.transactionalId, e);
                stream.close();
            }
        }
    }
}
