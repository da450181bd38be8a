package io.eventcore.kafka;

import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.EventConsumer;
import io.eventcore.routing.EventRouter;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.transport.Ordering;
import io.eventcore.internal.Checks;
import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.Settlement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Consumes Kafka topics and dispatches every record through an {@link EventRouter}.
 *
 * <ul>
 *   <li>One poll thread owns the {@link KafkaConsumer} (it is not thread-safe). Records arrive as
 *       raw bytes; decoding and handlers run on workers, never on the poll thread.</li>
 *   <li>Ordering ({@link Ordering}): {@code KEY} (default) runs one record per key at a time and
 *       different keys in parallel, beyond the partition count; {@code PARTITION} one record per
 *       partition; {@code UNORDERED} no ordering.</li>
 *   <li>Only the highest contiguous completed offset of each partition is committed (async every
 *       {@code commitInterval}, sync on revoke and close), so no record is ever skipped.</li>
 *   <li>Back-pressure: a partition with {@code maxInFlightPerPartition} records in flight, or all
 *       partitions once {@code maxInFlight} is reached, are paused until work completes.</li>
 *   <li>{@code FAILED} outcomes (dead-letter sink down, no sink) pause the partition and are
 *       retried with back-off on a timer; the offset is not committed meanwhile.</li>
 *   <li>{@code RETRY_LATER} ({@link io.eventcore.retry.RetryMode#REDELIVER}) stores the record in
 *       {@code <topic>.retry} with attempt and due-time headers. The consumer subscribes to that
 *       topic too and waits for the due time by pausing the partition, never by sleeping.</li>
 *   <li>On revoke, in-flight work of the lost partitions is drained within {@code drainTimeout}
 *       and committed; results arriving later are discarded (the new owner redelivers).</li>
 *   <li>A handler's JVM {@link Error} stops the consumer without committing past the record;
 *       {@link #health()} then reports {@code DOWN}.</li>
 * </ul>
 *
 * <p>Thread-safe lifecycle methods; {@link #start()} once, {@link #close(Duration)} any number of times.
 */
public final class KafkaEventConsumer implements EventConsumer {
    private final Settings settings;
    private final Map<String, Object> maskedConfig;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> retryProducer;
    private final ExecutorService ownedExecutor;
    private final ScheduledExecutorService timer;
    private final PollLoop loop;
    private final Thread pollThread;
    private volatile boolean started;
    private volatile boolean closed;

    /** The validated settings the poll loop reads. */
    record Settings(String groupId, List<String> topics, Pattern pattern, Ordering ordering, Duration pollTimeout,
            Duration commitInterval, Duration drainTimeout, Duration stallTimeout, int maxInFlight,
            int maxInFlightPerPartition, boolean retryTopics, String retrySuffix) {

        List<String> subscribedTopics() {
            Set<String> all = new LinkedHashSet<>(topics);
            if (retryTopics) {
                for (String t : topics) {
                    all.add(t.endsWith(retrySuffix) ? t : t + retrySuffix);
                }
            }
            return List.copyOf(all);
        }

        boolean isRetryTopic(String topic) {
            return retryTopics && topic.endsWith(retrySuffix);
        }
    }

    private KafkaEventConsumer(Builder b) {
        this.settings = new Settings(b.groupId, List.copyOf(b.topics), b.pattern, b.ordering, b.pollTimeout,
                b.commitInterval, b.drainTimeout, b.stallTimeout, b.maxInFlight, b.maxInFlightPerPartition,
                b.retryTopics, b.retrySuffix);
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.putAll(b.properties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, b.groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.maskedConfig = KafkaConfig.masked(props);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());

        Map<String, Object> producerProps = KafkaConfig.producerPropsFrom(b.properties);
        this.retryProducer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());

        Executor executor = b.executor;
        if (executor == null) {
            AtomicInteger n = new AtomicInteger();
            ownedExecutor = Executors.newFixedThreadPool(b.maxConcurrency, r -> daemon(r,
                    "eventcore-kafka-worker-" + b.groupId + "-" + n.incrementAndGet()));
            executor = ownedExecutor;
        } else {
            ownedExecutor = null;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "eventcore-kafka-timer-" + b.groupId));
        RetryTopicRedeliverer redeliverer = new RetryTopicRedeliverer(retryProducer, b.retrySuffix);
        this.loop = new PollLoop(consumer, settings, new KeyedSerialExecutor(executor),
                blocks -> new Settlement(b.router, timer, () -> !closed, redeliverer, blocks, b.failedBackoff,
                        b.maxFailedBackoff));
        this.pollThread = new Thread(loop, "eventcore-kafka-poll-" + b.groupId);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    static InboundMessage toMessage(ConsumerRecord<byte[], byte[]> record, String group) {
        InboundMessage.Builder b = InboundMessage.builder(record.topic()).key(record.key()).value(record.value())
                .partition(record.partition()).offset(record.offset())
                .timestamp(Instant.ofEpochMilli(record.timestamp())).consumerGroup(group);
        for (Header h : record.headers()) {
            b.header(MessageHeader.of(h.key(), h.value()));
        }
        return b.build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException("consumer for group " + settings.groupId() + " was already "
                    + (closed ? "closed" : "started"));
        }
        started = true;
        pollThread.start();
    }

    @Override
    public synchronized void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (closed) {
            return;
        }
        closed = true;
        loop.running = false;
        if (started) {
            loop.wakeup();
            try {
                pollThread.join(timeout.plus(settings.drainTimeout()).toMillis() + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
        timer.shutdownNow();
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
            try {
                ownedExecutor.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        retryProducer.close(Duration.ofSeconds(5));
    }

    @Override
    public ConsumerHealth health() {
        Throwable fatal = loop.fatal;
        if (fatal != null) {
            return new ConsumerHealth(ConsumerHealth.Status.DOWN, "stopped by a fatal error: " + fatal);
        }
        if (!started || closed || !pollThread.isAlive()) {
            return new ConsumerHealth(ConsumerHealth.Status.STOPPED, "not running");
        }
        Set<TopicPartition> stalled = loop.stalled();
        if (!stalled.isEmpty()) {
            return new ConsumerHealth(ConsumerHealth.Status.STALLED,
                    "no progress for " + settings.stallTimeout() + " on " + stalled);
        }
        return new ConsumerHealth(ConsumerHealth.Status.UP, "consuming");
    }

    @Override
    public String toString() {
        return "KafkaEventConsumer" + maskedConfig;
    }

    /**
     * Builds {@link KafkaEventConsumer}s. Setters reject bad values at once; {@link #build()}
     * checks that the required settings are present. Not thread-safe.
     */
    public static final class Builder {
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
        /** Default suffix of retry topics: {@value}. */
        public static final String DEFAULT_RETRY_SUFFIX = ".retry";

        private final Map<String, Object> properties = new HashMap<>();
        private final List<String> topics = new ArrayList<>();
        private String groupId;
        private Pattern pattern;
        private EventRouter router;
        private Ordering ordering = Ordering.KEY;
        private int maxConcurrency = DEFAULT_MAX_CONCURRENCY;
        private Executor executor;
        private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private Duration stallTimeout = DEFAULT_STALL_TIMEOUT;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private int maxInFlightPerPartition = DEFAULT_MAX_IN_FLIGHT_PER_PARTITION;
        private boolean retryTopics = true;
        private String retrySuffix = DEFAULT_RETRY_SUFFIX;
        private Duration failedBackoff = Duration.ofMillis(100);
        private Duration maxFailedBackoff = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * @param servers {@code host:port[,host:port]}
         * @return this builder
         */
        public Builder bootstrapServers(String servers) {
            properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Checks.notBlank("bootstrapServers", servers));
            return this;
        }

        /**
         * Adds consumer properties, passed through untouched (security, fetch sizes, ...). The
         * connection and security ones ({@code bootstrap.servers}, {@code security.*},
         * {@code sasl.*}, {@code ssl.*}) also configure the retry-topic producer.
         * {@code enable.auto.commit} must not be {@code true}: eventcore commits itself.
         *
         * @param props Kafka consumer properties
         * @return this builder
         */
        public Builder properties(Map<String, ?> props) {
            properties.putAll(Objects.requireNonNull(props, "properties"));
            return this;
        }

        /**
         * @param group the consumer group id, required
         * @return this builder
         */
        public Builder groupId(String group) {
            this.groupId = Checks.notBlank("groupId", group);
            return this;
        }

        /**
         * @param names topics to consume (their {@code .retry} topics are added automatically)
         * @return this builder
         */
        public Builder topics(String... names) {
            for (String n : names) {
                topics.add(Checks.notBlank("topics", n));
            }
            return this;
        }

        /**
         * @param regex subscribe to every topic matching it (include retry topics in the pattern)
         * @return this builder
         */
        public Builder topicPattern(Pattern regex) {
            this.pattern = Objects.requireNonNull(regex, "topicPattern");
            return this;
        }

        /**
         * @param eventRouter where records are dispatched, required
         * @return this builder
         */
        public Builder router(EventRouter eventRouter) {
            this.router = Objects.requireNonNull(eventRouter, "router");
            return this;
        }

        /**
         * @param mode ordering mode; defaults to {@link Ordering#KEY}
         * @return this builder
         */
        public Builder ordering(Ordering mode) {
            this.ordering = Objects.requireNonNull(mode, "ordering");
            return this;
        }

        /**
         * @param threads worker threads of the default executor, &gt;= 1; defaults to
         *     {@value #DEFAULT_MAX_CONCURRENCY}. Ignored when an executor is given.
         * @return this builder
         */
        public Builder maxConcurrency(int threads) {
            this.maxConcurrency = Checks.atLeast("maxConcurrency", threads, 1);
            return this;
        }

        /**
         * @param pool runs decoding and handlers, e.g. {@code Executors.newVirtualThreadPerTaskExecutor()}
         *     on JDK 21+; the caller owns it
         * @return this builder
         */
        public Builder executor(Executor pool) {
            this.executor = Objects.requireNonNull(pool, "executor");
            return this;
        }

        /**
         * @param interval async commit interval, &gt; 0; defaults to 1 s
         * @return this builder
         */
        public Builder commitInterval(Duration interval) {
            this.commitInterval = Checks.positive("commitInterval", interval);
            return this;
        }

        /**
         * @param timeout how long revoke and close wait for in-flight work, &gt;= 0; defaults to 10 s
         * @return this builder
         */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Checks.notNegative("drainTimeout", timeout);
            return this;
        }

        /**
         * @param timeout poll timeout, &gt; 0; defaults to 100 ms
         * @return this builder
         */
        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = Checks.positive("pollTimeout", timeout);
            return this;
        }

        /**
         * @param timeout time without progress on a partition with work in flight before
         *     {@link #health()} reports {@code STALLED}, &gt; 0; defaults to 60 s
         * @return this builder
         */
        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = Checks.positive("stallTimeout", timeout);
            return this;
        }

        /**
         * @param max records in flight across partitions before all are paused, &gt;= 1
         * @return this builder
         */
        public Builder maxInFlight(int max) {
            this.maxInFlight = Checks.atLeast("maxInFlight", max, 1);
            return this;
        }

        /**
         * @param max records in flight in one partition before it is paused, &gt;= 1
         * @return this builder
         */
        public Builder maxInFlightPerPartition(int max) {
            this.maxInFlightPerPartition = Checks.atLeast("maxInFlightPerPartition", max, 1);
            return this;
        }

        /**
         * @param enabled whether {@code <topic>.retry} topics are consumed and used for
         *     {@code RETRY_LATER}; defaults to {@code true}
         * @return this builder
         */
        public Builder retryTopics(boolean enabled) {
            this.retryTopics = enabled;
            return this;
        }

        /**
         * @param first first back-off of a {@code FAILED} record, &gt; 0; defaults to 100 ms
         * @param max cap of that back-off, &gt;= {@code first}; defaults to 30 s
         * @return this builder
         */
        public Builder failedBackoff(Duration first, Duration max) {
            this.failedBackoff = Checks.positive("failedBackoff", first);
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("maxFailedBackoff must be >= failedBackoff (" + first
                        + "), but was " + max);
            }
            this.maxFailedBackoff = max;
            return this;
        }

        /**
         * @return the consumer, not yet started
         * @throws IllegalStateException naming the missing or conflicting setting
         */
        public KafkaEventConsumer build() {
            if (groupId == null) {
                throw new IllegalStateException("groupId must be set");
            }
            if (router == null) {
                throw new IllegalStateException("router must be set");
            }
            if (topics.isEmpty() == (pattern == null)) {
                throw new IllegalStateException("exactly one of topics or topicPattern must be set, but "
                        + (pattern == null ? "neither was" : "both were"));
            }
            if (!properties.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalStateException("bootstrapServers must be set (or the bootstrap.servers property)");
            }
            Object autoCommit = properties.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
            if (autoCommit != null && Boolean.parseBoolean(autoCommit.toString())) {
                throw new IllegalStateException("enable.auto.commit must be false (eventcore commits offsets itself), "
                        + "but was " + autoCommit);
            }
            if (properties.containsKey(ConsumerConfig.GROUP_ID_CONFIG)
                    && !groupId.equals(properties.get(ConsumerConfig.GROUP_ID_CONFIG))) {
                throw new IllegalStateException("group.id property (" + properties.get(ConsumerConfig.GROUP_ID_CONFIG)
                        + ") conflicts with groupId (" + groupId + ")");
            }
            return new KafkaEventConsumer(this);
        }
    }
}
