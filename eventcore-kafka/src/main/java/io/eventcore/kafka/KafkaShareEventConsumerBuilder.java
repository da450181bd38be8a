package io.eventcore.kafka;

import io.eventcore.internal.Checks;
import io.eventcore.routing.EventRouter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Builds {@link KafkaShareEventConsumer}s. Each setting may be made once: a repeated one is an
 * {@link IllegalStateException} naming it, a bad value an {@link IllegalArgumentException} naming setting and
 * value. {@link #build()} requires client settings, a share group id, topics and a router. There is no ordering
 * setting: share groups give no order. Not thread-safe.
 */
public final class KafkaShareEventConsumerBuilder {
    /** Default {@link #maxConcurrency}: 16 handlers at once. */
    public static final int DEFAULT_MAX_CONCURRENCY = 16;
    /** Default {@link #deliveryLimit}: 5, the broker's default {@code group.share.delivery.count.limit}. */
    public static final int DEFAULT_DELIVERY_LIMIT = 5;
    /** Default {@link #renewAfter}: 15 s, half the broker's default acquisition lock (30 s). */
    public static final Duration DEFAULT_RENEW_AFTER = Duration.ofSeconds(15);

    private final ClientSetup client = new ClientSetup();
    private String groupId;
    private List<String> topics;
    private EventRouter router;
    private Integer maxConcurrency;
    private Executor executor;
    private Boolean virtualThreads;
    private Integer deliveryLimit;
    private Duration renewAfter;
    private Duration pollTimeout;
    private Boolean fromEarliest;

    KafkaShareEventConsumerBuilder() {
    }

    /**
     * @param settings how to reach the cluster (bootstrap servers, security); required, or use
     *     {@link #bootstrapServers(String)}
     * @return this builder
     * @throws IllegalStateException if client settings were already given
     */
    public KafkaShareEventConsumerBuilder client(KafkaClientSettings settings) {
        client.client(settings);
        return this;
    }

    /**
     * Shorthand for {@code client(KafkaClientSettings.of(servers))}.
     *
     * @param servers {@code host:port[,host:port]}
     * @return this builder
     * @throws IllegalStateException if client settings were already given
     */
    public KafkaShareEventConsumerBuilder bootstrapServers(String servers) {
        client.bootstrapServers(servers);
        return this;
    }

    /**
     * Share consumer properties, passed through; {@code share.acknowledgement.mode} stays {@code explicit}.
     *
     * @param props Kafka share consumer properties; connection and security ones belong in the client settings
     * @return this builder
     * @throws IllegalStateException if already set, or {@code props} holds a connection or security key
     * @throws IllegalArgumentException if {@code props} sets {@code share.acknowledgement.mode} to another mode
     */
    public KafkaShareEventConsumerBuilder properties(Map<String, ?> props) {
        Object mode = props.get("share.acknowledgement.mode");
        if (mode != null && !"explicit".equals(String.valueOf(mode))) {
            throw new IllegalArgumentException("properties: share.acknowledgement.mode must be explicit (each record is"
                    + " acknowledged with its outcome), but was " + mode);
        }
        client.properties(props);
        return this;
    }

    /**
     * @param group the share group; its members share the records of the topics
     * @return this builder
     * @throws IllegalArgumentException if blank
     * @throws IllegalStateException if already set
     */
    public KafkaShareEventConsumerBuilder groupId(String group) {
        this.groupId = Checks.once("groupId", groupId, Checks.notBlank("groupId", group));
        return this;
    }

    /**
     * @param names the topics to consume, at least one
     * @return this builder
     * @throws IllegalArgumentException if none, or one is blank
     * @throws IllegalStateException if already set
     */
    public KafkaShareEventConsumerBuilder topics(String... names) {
        if (names == null || names.length == 0) {
            throw new IllegalArgumentException("topics: at least one topic");
        }
        for (String name : names) {
            Checks.notBlank("topics", name);
        }
        this.topics = Checks.once("topics", topics, List.of(names));
        return this;
    }

    /**
     * @param eventRouter dispatches every record; required
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public KafkaShareEventConsumerBuilder router(EventRouter eventRouter) {
        this.router = Checks.once("router", router, Objects.requireNonNull(eventRouter, "router"));
        return this;
    }

    /**
     * @param threads handlers running at once, &gt; 0; defaults to {@value #DEFAULT_MAX_CONCURRENCY}
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public KafkaShareEventConsumerBuilder maxConcurrency(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("maxConcurrency must be >= 1, but was " + threads);
        }
        this.maxConcurrency = Checks.once("maxConcurrency", maxConcurrency, threads);
        return this;
    }

    /**
     * @param pool runs the handlers instead of the consumer's own workers; not shut down by the consumer
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public KafkaShareEventConsumerBuilder executor(Executor pool) {
        this.executor = Checks.once("executor", executor, Objects.requireNonNull(pool, "executor"));
        return this;
    }

    /**
     * @param enabled run handlers on virtual threads (JDK 21+), at most {@code maxConcurrency} at once; defaults to
     *     on where the JVM has them and no executor is given
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public KafkaShareEventConsumerBuilder virtualThreads(boolean enabled) {
        this.virtualThreads = Checks.once("virtualThreads", virtualThreads, enabled);
        return this;
    }

    /**
     * @param deliveries the broker's {@code group.share.delivery.count.limit} for this group, &ge; 2: on that
     *     delivery a retry or a failed dead-letter write is repeated here rather than released (the broker would
     *     archive the record); defaults to {@value #DEFAULT_DELIVERY_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if below 2
     * @throws IllegalStateException if already set
     */
    public KafkaShareEventConsumerBuilder deliveryLimit(int deliveries) {
        if (deliveries < 2) {
            throw new IllegalArgumentException("deliveryLimit must be >= 2, but was " + deliveries);
        }
        this.deliveryLimit = Checks.once("deliveryLimit", deliveryLimit, deliveries);
        return this;
    }

    /**
     * @param after how long a record may be in flight before its acquisition lock is renewed, &gt; 0; below the
     *     group's {@code group.share.record.lock.duration.ms}; defaults to 15 s
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public KafkaShareEventConsumerBuilder renewAfter(Duration after) {
        this.renewAfter = Checks.once("renewAfter", renewAfter, Checks.positive("renewAfter", after));
        return this;
    }

    /**
     * @param timeout how long one poll waits for records, &gt; 0; defaults to 500 ms
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public KafkaShareEventConsumerBuilder pollTimeout(Duration timeout) {
        this.pollTimeout = Checks.once("pollTimeout", pollTimeout, Checks.positive("pollTimeout", timeout));
        return this;
    }

    /**
     * @param earliest whether {@code start()} sets the group's {@code share.auto.offset.reset} to {@code earliest}, so
     *     that a new group reads the topics from their beginning (needs the right to alter the group's configuration;
     *     Kafka's own default is {@code latest}); defaults to {@code true}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public KafkaShareEventConsumerBuilder fromEarliest(boolean earliest) {
        this.fromEarliest = Checks.once("fromEarliest", fromEarliest, earliest);
        return this;
    }

    /**
     * @return the consumer, not started
     * @throws IllegalStateException naming what is missing: client settings, {@code groupId}, {@code topics} or
     *     {@code router}; or when virtual threads are asked for on a JVM without them
     */
    public KafkaShareEventConsumer build() {
        if (groupId == null) {
            throw new IllegalStateException("groupId must be set: the share group");
        }
        if (topics == null) {
            throw new IllegalStateException("topics must be set");
        }
        if (router == null) {
            throw new IllegalStateException("router must be set");
        }
        Map<String, Object> props = new HashMap<>(KafkaConfig.merge(Map.of(), client.client(), client.own()));
        props.put("group.id", groupId);
        props.put("share.acknowledgement.mode", "explicit");
        int concurrency = maxConcurrency != null ? maxConcurrency : DEFAULT_MAX_CONCURRENCY;
        KafkaShareEventConsumer.Settings settings = new KafkaShareEventConsumer.Settings(groupId, topics, concurrency,
                pollTimeout != null ? pollTimeout : Duration.ofMillis(500),
                renewAfter != null ? renewAfter : DEFAULT_RENEW_AFTER,
                deliveryLimit != null ? deliveryLimit : DEFAULT_DELIVERY_LIMIT, Duration.ofSeconds(1),
                Duration.ofSeconds(10), fromEarliest == null || fromEarliest, client.client().isolationLevel());
        Executor workers = VirtualWorkers.choose(executor, virtualThreads, concurrency, "share-" + groupId);
        return new KafkaShareEventConsumer(settings, props, router, workers);
    }

    /** @return what an admin client of the same cluster needs: the connection and security properties */
    static Map<String, Object> adminProps(Map<String, Object> consumerProps) {
        Map<String, Object> admin = new HashMap<>();
        consumerProps.forEach((k, v) -> {
            if (k.equals("bootstrap.servers") || KafkaConfig.isConnectionOrSecurity(k)) {
                admin.put(k, v);
            }
        });
        return admin;
    }
}
