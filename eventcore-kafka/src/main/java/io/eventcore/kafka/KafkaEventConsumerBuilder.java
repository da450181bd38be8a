package io.eventcore.kafka;

import io.eventcore.internal.Checks;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.ConsumerMetrics;
import io.eventcore.transport.Ordering;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Builds {@link KafkaEventConsumer}s. Each setting may be made once: a repeated or conflicting
 * one is an {@link IllegalStateException} naming it, a bad value an
 * {@link IllegalArgumentException} naming setting and value. {@link #build()} requires the
 * client settings, {@code groupId}, {@code router} and one of {@code topics} /
 * {@code topicPattern}. Not thread-safe.
 */
public final class KafkaEventConsumerBuilder {
    /** Default worker threads: {@value}. */
    public static final int DEFAULT_MAX_CONCURRENCY = 16;
    /** Default bound of records in flight across all partitions: {@value}. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;
    /** Default bound of records in flight per partition: {@value}. */
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_PARTITION = 2_000;
    /** Default interval of async commits: 1 second. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    /** Default time to drain in-flight work on revoke and close: 10 seconds. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);
    /** Default poll timeout: 100 ms. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    /** Default time without progress before a partition counts as stalled: 60 seconds. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);
    /** Default first back-off of a {@code FAILED} record: 100 ms. */
    public static final Duration DEFAULT_FAILED_BACKOFF = Duration.ofMillis(100);
    /** Default cap of the back-off of a {@code FAILED} record: 30 seconds. */
    public static final Duration DEFAULT_MAX_FAILED_BACKOFF = Duration.ofSeconds(30);

    private final ClientSetup client = new ClientSetup();
    private final ConsumerSettings.Draft draft = new ConsumerSettings.Draft();
    private EventRouter router;
    private Executor executor;
    private Boolean virtualThreads;
    private ConsumerMetrics metrics;
    private List<KafkaOutput> exactlyOnce;
    /** {@code max.block.ms} of the exactly-once producer unless the properties set it: 10 s. */
    static final Duration DEFAULT_TRANSACTION_BLOCK = Duration.ofSeconds(10);

    KafkaEventConsumerBuilder() {
    }

    /**
     * @param settings how the consumer and its retry-topic producer reach the cluster
     *     (bootstrap servers, security, client properties); required, or use
     *     {@link #bootstrapServers(String)}
     * @return this builder
     * @throws IllegalStateException if client settings were already given
     */
    public KafkaEventConsumerBuilder client(KafkaClientSettings settings) {
        client.client(settings);
        return this;
    }

    /**
     * Shorthand for {@code client(KafkaClientSettings.of(servers))}: plaintext, no
     * authentication.
     *
     * @param servers {@code host:port[,host:port]}
     * @return this builder
     * @throws IllegalArgumentException if blank
     * @throws IllegalStateException if client settings were already given
     */
    public KafkaEventConsumerBuilder bootstrapServers(String servers) {
        client.bootstrapServers(servers);
        return this;
    }

    /**
     * Consumer properties (fetch sizes, session timeout, ...), passed through untouched. Those
     * that are not consumer-only also reach the retry-topic producer.
     * {@code enable.auto.commit} must not be {@code true}: eventcore commits itself.
     *
     * @param props Kafka consumer properties; connection and security ones belong in
     *     {@link #client(KafkaClientSettings)}
     * @return this builder
     * @throws IllegalStateException if already set, or {@code props} holds
     *     {@code bootstrap.servers} or a {@code security.*}, {@code sasl.*} or {@code ssl.*} key
     */
    public KafkaEventConsumerBuilder properties(Map<String, ?> props) {
        client.properties(props);
        return this;
    }

    /**
     * @param group the consumer group id, required
     * @return this builder
     * @throws IllegalArgumentException if blank
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder groupId(String group) {
        draft.groupId(group);
        return this;
    }

    /**
     * Topics to consume; when a route uses {@code REDELIVER}, this group's retry topics
     * ({@link #retryTopicNaming}) are added automatically. This or
     * {@link #topicPattern(Pattern)} is required, not both.
     *
     * @param names one or more topic names
     * @return this builder
     * @throws IllegalArgumentException if no name or a blank one is given
     * @throws IllegalStateException if topics or a topic pattern were already set
     */
    public KafkaEventConsumerBuilder topics(String... names) {
        draft.topics(names);
        return this;
    }

    /**
     * Subscribes to every topic matching a pattern. This or {@link #topics(String...)} is
     * required, not both; {@code REDELIVER} routes need {@code topics} (per-topic retry topics).
     *
     * @param regex the pattern
     * @return this builder
     * @throws IllegalStateException if a topic pattern or topics were already set
     */
    public KafkaEventConsumerBuilder topicPattern(Pattern regex) {
        draft.topicPattern(regex);
        return this;
    }

    /**
     * @param eventRouter where records are dispatched, required
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder router(EventRouter eventRouter) {
        this.router = Checks.once("router", router, Objects.requireNonNull(eventRouter, "router"));
        return this;
    }

    /**
     * @param mode ordering mode; defaults to {@link Ordering#KEY}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder ordering(Ordering mode) {
        draft.ordering(mode);
        return this;
    }

    /**
     * @param threads worker threads of the default executor, &gt;= 1; defaults to
     *     {@value #DEFAULT_MAX_CONCURRENCY}. Not used when an executor is given.
     * @return this builder
     * @throws IllegalArgumentException if below 1
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder maxConcurrency(int threads) {
        draft.maxConcurrency(threads);
        return this;
    }

    /**
     * @param pool runs decoding and handlers, e.g. {@code Executors.newVirtualThreadPerTaskExecutor()}
     *     on JDK 21+; the caller owns it (it is not shut down by {@code close}). Defaults to the
     *     consumer's own workers: {@code maxConcurrency} virtual threads on JDK 21+ (see {@link #virtualThreads}),
     *     a fixed pool of {@code maxConcurrency} daemon threads before.
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder executor(Executor pool) {
        this.executor = Checks.once("executor", executor, Objects.requireNonNull(pool, "executor"));
        return this;
    }

    /**
     * @param enabled whether the consumer's own workers are virtual threads, at most {@code maxConcurrency} handlers
     *     at once; defaults to {@code true} on JDK 21+ and {@code false} before (no executor given)
     * @return this builder
     * @throws IllegalStateException if already set; at {@code build()}, if {@code true} before JDK 21 or with an
     *     executor
     */
    public KafkaEventConsumerBuilder virtualThreads(boolean enabled) {
        this.virtualThreads = Checks.once("virtualThreads", virtualThreads, enabled);
        return this;
    }

    /**
     * @param interval async commit interval, &gt; 0; defaults to {@link #DEFAULT_COMMIT_INTERVAL} (1 s)
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder commitInterval(Duration interval) {
        draft.commitInterval(interval);
        return this;
    }

    /**
     * @param timeout how long revoke and close wait for in-flight work (and bound of their
     *     sync commit), &gt;= 0; defaults to {@link #DEFAULT_DRAIN_TIMEOUT} (10 s)
     * @return this builder
     * @throws IllegalArgumentException if negative
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder drainTimeout(Duration timeout) {
        draft.drainTimeout(timeout);
        return this;
    }

    /**
     * @param timeout poll timeout, &gt; 0; defaults to {@link #DEFAULT_POLL_TIMEOUT} (100 ms)
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder pollTimeout(Duration timeout) {
        draft.pollTimeout(timeout);
        return this;
    }

    /**
     * @param timeout time without progress on a partition with work in flight before
     *     {@link KafkaEventConsumer#health()} reports {@code STALLED}, &gt; 0; defaults to
     *     {@link #DEFAULT_STALL_TIMEOUT} (60 s)
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder stallTimeout(Duration timeout) {
        draft.stallTimeout(timeout);
        return this;
    }

    /**
     * @param max records in flight across partitions before all are paused, &gt;= 1; defaults
     *     to {@value #DEFAULT_MAX_IN_FLIGHT}
     * @return this builder
     * @throws IllegalArgumentException if below 1
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder maxInFlight(int max) {
        draft.maxInFlight(max);
        return this;
    }

    /**
     * @param max records in flight in one partition before it is paused, &gt;= 1; defaults to
     *     {@value #DEFAULT_MAX_IN_FLIGHT_PER_PARTITION}
     * @return this builder
     * @throws IllegalArgumentException if below 1
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder maxInFlightPerPartition(int max) {
        draft.maxInFlightPerPartition(max);
        return this;
    }

    /**
     * @param enabled whether {@code REDELIVER} routes may use retry topics (only they make the
     *     consumer read or write any); defaults to {@code true}; with {@code false}
     *     {@link #build()} rejects such a route
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder retryTopics(boolean enabled) {
        draft.retryTopics(enabled);
        return this;
    }

    /**
     * @param naming maps a consumed topic to this group's retry topic (a legal topic name, not
     *     consumed itself, never shared with another group); defaults to
     *     {@link KafkaEventConsumer#defaultRetryTopic(String, String) defaultRetryTopic(topic, groupId)}
     * @return this builder
     * @throws IllegalStateException if already set ({@link #build()}: if a name is illegal)
     */
    public KafkaEventConsumerBuilder retryTopicNaming(UnaryOperator<String> naming) {
        draft.retryTopicNaming(naming);
        return this;
    }

    /**
     * @param first first back-off of a {@code FAILED} record, &gt; 0; defaults to
     *     {@link #DEFAULT_FAILED_BACKOFF} (100 ms)
     * @param max cap of that back-off, &gt;= {@code first}; defaults to
     *     {@link #DEFAULT_MAX_FAILED_BACKOFF} (30 s)
     * @return this builder
     * @throws IllegalArgumentException if {@code first} is not positive or {@code max} is below it
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder failedBackoff(Duration first, Duration max) {
        draft.failedBackoff(first, max);
        return this;
    }

    /**
     * @param consumerMetrics receives per-partition lag, pause state, in-flight records and
     *     failed rounds, e.g. {@code MicrometerMetrics}; defaults to {@link ConsumerMetrics#noop()}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder metrics(ConsumerMetrics consumerMetrics) {
        this.metrics = Checks.once("metrics", metrics, Objects.requireNonNull(consumerMetrics, "metrics"));
        return this;
    }

    /**
     * Exactly-once mode (consume &rarr; produce): every commit of this consumer is one Kafka transaction holding
     * the consumed offsets and everything produced for those records: what handlers sent through the given
     * {@code outputs} while handling them (on the handler's thread, including in-place retries), the dead letters
     * the given {@link KafkaDeadLetterSink} wrote for them, and their retry-topic copies. A {@code read_committed}
     * reader therefore sees each record's output exactly once: if the consumer dies or loses the partition before
     * the commit, the transaction never happens and the next owner handles the record again. What a failed handler
     * attempt sent is dropped; a dead letter is rolled back with the transaction. Commits happen every
     * {@link #commitInterval commit interval} and on revoke and close, so output appears with that latency.
     *
     * <p>Not exactly once: effects outside Kafka (a database write, an HTTP call) happen again when a record is
     * handled again; use the JDBC inbox for database effects. What an async handler sends after it returned, from
     * another thread, is not held (it is sent at once, at least once).
     *
     * <p>The transactional producer has the consumer's client settings, {@code transactional.id =
     * <transactionalIdPrefix><group>-<random>} (fencing of a zombie instance is by the group's generation, KIP-447),
     * {@link KafkaClientSettings#transactionTimeout()} and {@code max.block.ms} 10 s unless the properties set it
     * (commits run on the poll thread). Building checks, for up to 3 s, that the cluster can host transactions.
     * While commits fail, {@code health()} turns {@code STALLED} after the stall timeout, and completed records
     * whose output waits for a commit count against {@code maxInFlight} (the consumer pauses instead of holding
     * without bound); after a failed commit, partitions commit one transaction each until all succeed, so a record
     * the broker refuses holds back only its own partition.
     *
     * @param outputs the publishers and the dead-letter sink whose sends join the transactions; may be empty
     *     (then only offsets and retry-topic copies are transactional)
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public KafkaEventConsumerBuilder exactlyOnce(KafkaOutput... outputs) {
        List<KafkaOutput> given = List.of(outputs);
        this.exactlyOnce = Checks.once("exactlyOnce", exactlyOnce, given);
        return this;
    }

    /**
     * @return the consumer, not yet started
     * @throws IllegalStateException naming the missing or conflicting setting, e.g. a route
     *     retrying with {@code REDELIVER} while {@code retryTopics(false)} or a topic pattern
     */
    public KafkaEventConsumer build() {
        ConsumerSettings settings = draft.resolve(router == null ? Set.of() : router.redeliveredTypes());
        if (router == null) {
            throw new IllegalStateException("router must be set");
        }
        Map<String, Object> user = KafkaConfig.merge(Map.of(), client.client(), client.own());
        Map<String, Object> props = KafkaConfig.consumerProps(user, settings.groupId(), client.client().isolationLevel());
        Map<String, Object> producerProps = KafkaConfig.producerPropsFrom(user);
        ConsumerRuntime.ExactlyOnce eos = null;
        if (exactlyOnce != null) {
            if (!KafkaConfig.supportsTransactions(producerProps)) {
                throw new IllegalStateException("exactlyOnce needs an idempotent producer with acks=all, but the "
                        + "properties set enable.idempotence=" + producerProps.get("enable.idempotence") + ", acks="
                        + producerProps.get("acks"));
            }
            KafkaClientSettings c = client.client();
            TransactionSupport.check(c.properties(), "exactlyOnce");
            Map<String, Object> txProps = new java.util.HashMap<>(producerProps);
            String transactionalId = c.transactionalIdPrefix() + settings.groupId() + "-" + java.util.UUID.randomUUID();
            txProps.put(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            // Commits run on the poll thread: bound them (and so close()) unless the user chose a bound.
            txProps.putIfAbsent(org.apache.kafka.clients.producer.ProducerConfig.MAX_BLOCK_MS_CONFIG,
                    (int) DEFAULT_TRANSACTION_BLOCK.toMillis());
            if (c.transactionTimeout() != null) {
                txProps.put(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        (int) c.transactionTimeout().toMillis());
            }
            eos = new ConsumerRuntime.ExactlyOnce(exactlyOnce, () -> new org.apache.kafka.clients.producer.KafkaProducer<>(
                    txProps, new org.apache.kafka.common.serialization.ByteArraySerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer()));
        }
        Executor workers = VirtualWorkers.choose(executor, virtualThreads, settings.maxConcurrency(), settings.groupId());
        ConsumerRuntime runtime = new ConsumerRuntime(settings, router, workers, props,
                producerProps, metrics != null ? metrics : ConsumerMetrics.noop(), eos);
        return new KafkaEventConsumer(runtime, props);
    }
}
