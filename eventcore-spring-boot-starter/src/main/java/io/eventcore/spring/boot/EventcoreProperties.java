package io.eventcore.spring.boot;

import io.eventcore.retry.RetryMode;
import io.eventcore.routing.UnknownTypePolicy;
import io.eventcore.transport.Ordering;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code eventcore.*} settings, bound once at startup; immutable.
 *
 * <p>Each group switches its beans on or off; what is not set here keeps the library's default
 * (the builders' {@code DEFAULT_*} constants). Invalid values are rejected by the builders when the
 * beans are created, with a message naming the setting.
 *
 * @param kafka client settings shared by every Kafka client
 * @param router the {@code EventRouter} bean
 * @param publisher the {@code KafkaEventPublisher} bean
 * @param consumer the {@code KafkaEventConsumer} bean
 * @param deadLetter the {@code KafkaDeadLetterSink} bean
 * @param outbox the JDBC outbox and its relay
 * @param observation the {@code EventInstrumentation} bean (Micrometer Observations)
 * @param consumers more Kafka consumers, by name: each entry is a {@code KafkaEventConsumer} bean
 *     ({@code eventcoreConsumer.<name>}) with its own group, topics and settings, dispatching to the one router
 * @param shareConsumers share-group members (KIP-932, queue semantics, no ordering), by name: each entry is a
 *     {@code KafkaShareEventConsumer} bean ({@code eventcoreShareConsumer.<name>}) dispatching to the one router
 */
@ConfigurationProperties("eventcore")
public record EventcoreProperties(
        @DefaultValue Kafka kafka,
        @DefaultValue Router router,
        @DefaultValue Publisher publisher,
        @DefaultValue Consumer consumer,
        @DefaultValue DeadLetter deadLetter,
        @DefaultValue Outbox outbox,
        @DefaultValue Observation observation,
        Map<String, Consumer> consumers,
        Map<String, ShareConsumer> shareConsumers) {

    /**
     * Settings every Kafka client (publisher, consumer, dead-letter sink) gets, as one
     * {@code KafkaClientSettings} bean.
     *
     * @param enabled whether eventcore creates Kafka beans at all; defaults to {@code true}
     * @param bootstrapServers {@code host:port} pairs; when empty, {@code spring.kafka.bootstrap-servers}
     *     is used, and one of them is required
     * @param properties client properties for every client (security, DNS, ...); they override
     *     {@code spring.kafka.properties.*} and {@code spring.kafka.security.protocol}, which are reused
     * @param transactionalIdPrefix prefix of every {@code transactional.id} of eventcore's clients (the outbox
     *     relay's shard streams, exactly-once consumers), e.g. the service's name and a dash; services sharing a
     *     cluster need different ones; the library's default ({@code eventcore-}) when not set
     * @param transactionTimeout {@code transaction.timeout.ms} of transactional producers, at most the broker's
     *     {@code transaction.max.timeout.ms}; Kafka's default (60 s) when not set
     * @param isolationLevel {@code isolation.level} of eventcore's consumers: {@code read_committed} (the
     *     library's default) or {@code read_uncommitted}
     * @param positionsTopic where transactional streams (the outbox relay's shards) commit their positions;
     *     the library's default ({@code eventcore-positions}) when not set
     * @param createTopics whether the application's {@code NewTopic} beans are created on the broker when the
     *     context starts (existing topics are left as they are); defaults to {@code true}
     * @param topicsTimeout how long the start-up waits for the broker to create them; 30 s when not set
     */
    public record Kafka(
            @DefaultValue("true") boolean enabled,
            List<String> bootstrapServers,
            Map<String, String> properties,
            String transactionalIdPrefix,
            Duration transactionTimeout,
            String isolationLevel,
            String positionsTopic,
            @DefaultValue("true") boolean createTopics,
            Duration topicsTimeout) {
    }

    /**
     * The {@code EventRouter} built from {@code EventcoreHandler} beans and {@code EventRouterCustomizer}s.
     *
     * @param unknownType what happens to an event type without a route; the library's default
     *     ({@code DEAD_LETTER}) when not set
     * @param handlerTimeout bound of an asynchronous handler attempt; the library's default (30 s) when not set
     * @param retry the router's retry policy; the library's default when none of it is set
     */
    public record Router(UnknownTypePolicy unknownType, Duration handlerTimeout, @DefaultValue Retry retry) {
    }

    /**
     * The router's {@code RetryPolicy} ({@code eventcore.router.retry.*}): exponential back-off from
     * {@code initial-delay} to {@code max-delay}; what is not set keeps the library's default (3 attempts,
     * 100 ms to 5 s, multiplier 2, 10% jitter, in place). A route's own policy ({@code RouteOptions.retry}) wins.
     *
     * @param maxAttempts attempts in all, the first included, &gt;= 1
     * @param initialDelay delay before the second attempt, &gt; 0
     * @param maxDelay cap of any delay, &gt;= {@code initial-delay}
     * @param multiplier growth of the delay per attempt, &gt;= 1 (1 for a fixed delay)
     * @param jitter random spread of each delay, 0 to 1
     * @param maxElapsed no attempt starts later than this after the first one
     * @param mode {@code IN_PLACE} (the key waits) or {@code REDELIVER} (through the retry topic)
     */
    public record Retry(Integer maxAttempts, Duration initialDelay, Duration maxDelay, Double multiplier,
            Double jitter, Duration maxElapsed, RetryMode mode) {
    }

    /**
     * The {@code KafkaEventPublisher} bean (also what the outbox relay sends with).
     *
     * @param enabled whether to create it; defaults to {@code true}
     * @param topic the one topic of {@code publish(Event)}; when not set, a {@code TopicNaming} bean,
     *     else one topic per aggregate type ({@code <aggregate type>-events})
     * @param properties producer properties, passed through
     * @param closeTimeout how long closing waits for buffered sends; the library's default (30 s) when not set
     * @param transactional whether each send or batch is one Kafka transaction, seen by {@code read_committed}
     *     readers all at once or not at all (the cluster must be able to host transactions); defaults to
     *     {@code false}
     */
    public record Publisher(
            @DefaultValue("true") boolean enabled,
            String topic,
            Map<String, String> properties,
            Duration closeTimeout,
            @DefaultValue("false") boolean transactional) {
    }

    /**
     * The {@code KafkaEventConsumer} bean; created only when {@code group-id} and {@code topics} are set.
     *
     * @param enabled whether to create it; defaults to {@code true}
     * @param autoStartup whether it starts with the application context; defaults to {@code true}
     * @param groupId the consumer group
     * @param topics the topics to consume
     * @param ordering {@code KEY} (the library's default), {@code PARTITION} or {@code UNORDERED}
     * @param maxConcurrency worker threads; the library's default (16) when not set
     * @param stallTimeout after how long without progress a partition is reported stalled; library default (60 s)
     * @param drainTimeout how long in-flight work of revoked partitions is drained; library default (10 s)
     * @param shutdownTimeout bound of the whole close when the context stops; defaults to 30 s
     * @param properties consumer properties, passed through
     * @param exactlyOnce consume &rarr; produce in Kafka transactions: each commit holds the consumed offsets and
     *     what handlers sent for those records through the application's {@code KafkaEventPublisher} beans and
     *     the {@code KafkaDeadLetterSink} bean (dead letters, retry-topic copies), a failed attempt's output
     *     dropped; defaults to {@code false}
     * @param virtualThreads run handlers on virtual threads (JDK 21+); when not set, follows
     *     {@code spring.threads.virtual.enabled} where the JVM has virtual threads, else the library's default (on
     *     for JDK 21+, off before); {@code true} on an older JVM fails at start-up
     */
    public record Consumer(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("true") boolean autoStartup,
            String groupId,
            List<String> topics,
            Ordering ordering,
            Integer maxConcurrency,
            Duration stallTimeout,
            Duration drainTimeout,
            @DefaultValue("30s") Duration shutdownTimeout,
            Map<String, String> properties,
            @DefaultValue("false") boolean exactlyOnce,
            Boolean virtualThreads) {
    }

    /**
     * A {@code KafkaShareEventConsumer}: a member of a share group, started and closed with the context.
     *
     * @param enabled whether to create it; defaults to {@code true}
     * @param autoStartup whether it starts with the application context; defaults to {@code true}
     * @param groupId the share group; required
     * @param topics the topics; required
     * @param maxConcurrency handlers at once; the library's default (16) when not set
     * @param deliveryLimit the group's {@code group.share.delivery.count.limit}; the library's default (5)
     * @param renewAfter when a running record's lock is renewed; the library's default (15 s)
     * @param fromEarliest whether a new group reads the topics from their beginning; defaults to {@code true}
     * @param virtualThreads run handlers on virtual threads (JDK 21+); when not set, as for the consumers
     * @param shutdownTimeout bound of its close when the context stops; defaults to 30 s
     * @param properties share consumer properties, passed through
     */
    public record ShareConsumer(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("true") boolean autoStartup,
            String groupId,
            List<String> topics,
            Integer maxConcurrency,
            Integer deliveryLimit,
            Duration renewAfter,
            @DefaultValue("true") boolean fromEarliest,
            Boolean virtualThreads,
            @DefaultValue("30s") Duration shutdownTimeout,
            Map<String, String> properties) {
    }

    /**
     * The {@code KafkaDeadLetterSink} bean, which the router dead-letters to.
     *
     * @param enabled whether to create it; defaults to {@code true}
     * @param suffix appended to a source topic to name its dead-letter topic; defaults to {@code .dlq}
     * @param sendTimeout bound of a dead-letter write; the library's default (30 s) when not set
     * @param ownProducer whether the sink opens a producer of its own; by default ({@code false}) it writes through
     *     the {@code KafkaEventPublisher} bean's producer when there is one, so the application runs one producer
     */
    public record DeadLetter(
            @DefaultValue("true") boolean enabled,
            @DefaultValue(".dlq") String suffix,
            Duration sendTimeout,
            @DefaultValue("false") boolean ownProducer) {
    }

    /**
     * The JDBC outbox on the application's {@code DataSource} and its relay.
     *
     * @param enabled whether to create the outbox beans (needs eventcore-outbox-jdbc, spring-jdbc and one
     *     {@code DataSource}); defaults to {@code true}
     * @param table the outbox table; the library's default ({@code eventcore_outbox}) when not set
     * @param shards shards keyed rows are spread over; library default (16); change only when the outbox is empty
     * @param strictOrder PostgreSQL: per key, relay in commit order (needs the strict-order migration);
     *     defaults to {@code false}
     * @param keepPublished mark published rows instead of deleting them; defaults to {@code false}
     * @param createSchema whether to create the tables at startup (idempotent); defaults to {@code false}:
     *     run the shipped migrations instead
     * @param notifications PostgreSQL {@code LISTEN/NOTIFY} hints between relays; defaults to {@code false}
     * @param relay the relay
     */
    public record Outbox(
            @DefaultValue("true") boolean enabled,
            String table,
            Integer shards,
            @DefaultValue("false") boolean strictOrder,
            @DefaultValue("false") boolean keepPublished,
            @DefaultValue("false") boolean createSchema,
            @DefaultValue("false") boolean notifications,
            @DefaultValue Relay relay) {
    }

    /**
     * The {@code OutboxPublisher} relay, started and stopped with the application context.
     *
     * @param enabled whether to run a relay in this instance; defaults to {@code true}
     * @param relayId this instance's id in the lease table; a random one when not set
     * @param batchSize rows read per shard per pass; library default (500)
     * @param leaseTtl shard lease time to live; library default (10 s)
     * @param minPollInterval shortest idle poll interval; library default (5 ms)
     * @param maxPollInterval longest idle poll interval; library default (1 s)
     * @param sendTimeout how long a batch's acknowledgements are awaited; library default (30 s)
     * @param deadRetention how long dead rows are kept; library default (14 days)
     * @param publishedRetention with {@code keep-published}, how long published rows are kept; none by default
     * @param transactional whether to publish each shard's rows of a pass in one transaction, committed with the
     *     ids it published; when not set, whenever the publisher offers transactions (the Kafka publisher does)
     * @param outboxName names this outbox in the relay's transactional stream ids ({@code <name>-<shard>}), stable
     *     and unique among the outboxes relayed to one broker; the outbox table's name when not set
     * @param oneInFlightPerKey send a key's next row only once its previous one is acknowledged, so that without
     *     transactions a failed send never lets later rows of its key go first (a transactional relay keeps that
     *     order without it); defaults to {@code false}
     * @param shutdownTimeout bound of closing the relay when the context stops; defaults to 10 s
     */
    public record Relay(
            @DefaultValue("true") boolean enabled,
            String relayId,
            Integer batchSize,
            Duration leaseTtl,
            Duration minPollInterval,
            Duration maxPollInterval,
            Duration sendTimeout,
            Duration deadRetention,
            Duration publishedRetention,
            Boolean transactional,
            String outboxName,
            @DefaultValue("false") boolean oneInFlightPerKey,
            @DefaultValue("10s") Duration shutdownTimeout) {
    }

    /**
     * The {@code MicrometerInstrumentation} bean on the application's {@code ObservationRegistry}, passed to
     * the router, the publisher, the outbox appender and the relay; created only when such a registry bean
     * exists (Spring Boot Actuator creates one).
     *
     * @param enabled whether to create it; defaults to {@code true}. An {@code EventInstrumentation} bean of
     *     the application's own is used either way
     */
    public record Observation(@DefaultValue("true") boolean enabled) {
    }
}
