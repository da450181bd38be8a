package io.eventcore.outbox;

import io.eventcore.Clock;
import io.eventcore.EventcoreException;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.internal.Checks;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.TopicNaming;
import java.time.Duration;
import java.util.Objects;

/**
 * The outbox relay: reads pending rows from an {@link OutboxStore}, publishes them through an
 * {@link EventPublisher} and settles them. It is store-neutral: the JDBC store of
 * {@code eventcore-outbox-jdbc} and the in-memory store of {@code eventcore-test} plug in alike.
 *
 * <pre>{@code
 * OutboxPublisher relay = OutboxPublisher.builder()
 *         .store(outbox.store())
 *         .publisher(kafkaPublisher)
 *         .deadLetter(kafkaDeadLetterSink)
 *         .build();
 * relay.start();
 * ...
 * relay.close(Duration.ofSeconds(10));
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Nothing lost; at least once, and each keyed row once for committed-only readers with a
 *       {@linkplain Builder#transactional transactional} publisher</b> (the default with Kafka). A row is settled only
 *       after the broker acknowledged (or committed) it; a relay taking a shard over first settles what the last
 *       holder committed.</li>
 *   <li><b>Per-key order across relay instances.</b> Keyed rows are sharded by key; a shard is relayed by the one
 *       relay holding its lease, in id order; settlements carry the lease's fence, and a transactional stream fences
 *       its earlier holder at the broker.</li>
 *   <li><b>A failing row blocks only its key.</b> Transient failures while nothing got through wait uncounted;
 *       other failures count attempts of the row ({@link Builder#retry}); after {@link RetryPolicy#maxAttempts()}
 *       it moves to the dead table and the {@link Builder#deadLetter dead-letter sink}, and its key flows again.</li>
 * </ul>
 *
 * <h2>Latency</h2>
 * The relay polls adaptively: right away while there is work, then at intervals doubling from
 * {@link Builder#minPollInterval} to {@link Builder#maxPollInterval} while idle. An append through
 * this process's outbox wakes it at once (see {@link OutboxSignals#onAppend}), and a store with a
 * {@link HintChannel} lets relays of other processes wake it too.
 *
 * <p>Thread-safe. One relay thread per started instance; {@link #publishPending()} runs on the
 * caller's thread and never overlaps with the relay thread's passes.
 */
public final class OutboxPublisher implements AutoCloseable {
    /** Default rows read per shard per pass: {@value}. */
    public static final int DEFAULT_BATCH_SIZE = 500;
    /** Default lease time to live: 10 seconds. A dead relay's shards are taken over after at most this. */
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
    /** Default shortest idle poll interval: 5 ms. */
    public static final Duration DEFAULT_MIN_POLL_INTERVAL = Duration.ofMillis(5);
    /** Default longest idle poll interval: 1 second. */
    public static final Duration DEFAULT_MAX_POLL_INTERVAL = Duration.ofSeconds(1);
    /** Default time a batch may wait for the broker's acknowledgements: 30 seconds. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);
    /** Default retention of dead rows: 14 days. */
    public static final Duration DEFAULT_DEAD_RETENTION = Duration.ofDays(14);
    /** Default rows deleted per purge statement: {@value}. */
    public static final int DEFAULT_PURGE_BATCH = 1000;
    /** Default retry policy of failing rows: exponential from 1 s to 1 min, 5 attempts, 20% jitter. */
    public static final RetryPolicy DEFAULT_RETRY = RetryPolicy.exponential(Duration.ofSeconds(1),
            Duration.ofMinutes(1)).maxAttempts(5).jitter(0.2);
    /** Default topic naming: {@link TopicNaming#perAggregate()}, {@code <aggregate type in lower case>-events}. */
    public static final TopicNaming DEFAULT_TOPIC_NAMING = TopicNaming.perAggregate();
    /** Default of {@link Builder#hintOthers}: {@value}. */
    public static final boolean DEFAULT_HINT_OTHERS = true;
    /** Longest relay id: {@value} characters. */
    public static final int MAX_RELAY_ID_LENGTH = 128;
    /** Timeout of {@link #close()}: 10 seconds. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final RelayParts relay;

    private OutboxPublisher(RelaySettings s) {
        this.relay = new RelayParts(s);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the relay thread. Also starts listening for other processes' hints when the store has a
     * {@link HintChannel}.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        relay.loop.start();
    }

    /** Wakes the relay thread for an immediate pass. Cheap; safe from any thread. */
    public void wakeUp() {
        relay.loop.wakeUp();
    }

    /**
     * Runs passes on the caller's thread until no row is due: for tests and batch jobs. When the relay
     * is not started, it unregisters at the end, so it does not keep counting as a live relay.
     *
     * @return how many rows were published
     * @throws EventcoreException if the store or the broker is unreachable
     */
    public int publishPending() {
        return relay.publishPending();
    }

    /** @return a snapshot of this relay; safe from any thread */
    public OutboxStatus status() {
        return relay.stats.status(relay.relayId, relay.loop.running(), relay.leases.shards());
    }

    /**
     * @return whether this relay publishes in transactions ({@link Builder#transactional}): each shard's rows of a
     *         pass in one transaction, committed with the ids it published
     */
    public boolean transactional() {
        return relay.transactional;
    }

    /** @return this relay's id */
    public String relayId() {
        return relay.relayId;
    }

    /**
     * Stops the relay thread after its current batch (waiting at most {@code timeout}), finishes its last
     * settlement, releases its leases and unregisters it. Rows not yet published stay in the store. Idempotent.
     *
     * @param timeout how long to wait for the current batch
     */
    public void close(Duration timeout) {
        relay.close(timeout);
    }

    /** Closes with a {@link #DEFAULT_CLOSE_TIMEOUT 10 second} timeout. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Builds an {@link OutboxPublisher}. Each setting may be given once: a repeated one throws
     * {@link IllegalStateException} naming it, an invalid value {@link IllegalArgumentException} naming the
     * setting and the value, a {@code null} {@link NullPointerException}. {@link #store} and
     * {@link #publisher} are required. Not thread-safe.
     */
    public static final class Builder {
        private final RelaySettings s = new RelaySettings();

        private Builder() {
        }

        /**
         * @param outboxStore where the rows are (required)
         * @return this builder
         */
        public Builder store(OutboxStore outboxStore) {
            s.store = Checks.once("store", s.store, Objects.requireNonNull(outboxStore, "store"));
            return this;
        }

        /**
         * @param eventPublisher what publishes the rows (required); the relay does not close it
         * @return this builder
         */
        public Builder publisher(EventPublisher eventPublisher) {
            s.publisher = Checks.once("publisher", s.publisher, Objects.requireNonNull(eventPublisher, "publisher"));
            return this;
        }

        /**
         * @param id this relay's id in the lease table, at most {@value OutboxPublisher#MAX_RELAY_ID_LENGTH}
         *        characters; defaults to {@code relay-<random UUID>}. Two live relays must never share an id.
         * @return this builder
         */
        public Builder relayId(String id) {
            s.relayId = Checks.once("relayId", s.relayId, RelaySettings.checkedRelayId(id));
            return this;
        }

        /**
         * @param rows rows read per shard per pass, at least 1; defaults to
         *        {@value OutboxPublisher#DEFAULT_BATCH_SIZE}
         * @return this builder
         */
        public Builder batchSize(int rows) {
            s.batchSize = Checks.once("batchSize", s.batchSize, Checks.atLeast("batchSize", rows, 1));
            return this;
        }

        /**
         * @param ttl lease time to live, positive; a dead relay's shards are taken over after at most this. Leases
         *        are renewed every third of it, also while a batch awaits acknowledgements, so it need not exceed
         *        {@link #sendTimeout}. Defaults to {@link OutboxPublisher#DEFAULT_LEASE_TTL 10 s}.
         * @return this builder
         */
        public Builder leaseTtl(Duration ttl) {
            s.leaseTtl = Checks.once("leaseTtl", s.leaseTtl, Checks.positive("leaseTtl", ttl));
            return this;
        }

        /**
         * @param interval shortest idle poll interval, positive; defaults to
         *        {@link OutboxPublisher#DEFAULT_MIN_POLL_INTERVAL 5 ms}
         * @return this builder
         */
        public Builder minPollInterval(Duration interval) {
            s.minPoll = Checks.once("minPollInterval", s.minPoll, Checks.positive("minPollInterval", interval));
            return this;
        }

        /**
         * @param interval longest idle poll interval (the latency without wake-ups), positive, not below
         *        {@link #minPollInterval}; defaults to {@link OutboxPublisher#DEFAULT_MAX_POLL_INTERVAL 1 s}
         * @return this builder
         */
        public Builder maxPollInterval(Duration interval) {
            s.maxPoll = Checks.once("maxPollInterval", s.maxPoll, Checks.positive("maxPollInterval", interval));
            return this;
        }

        /**
         * @param timeout how long a batch may wait for acknowledgements (unacknowledged rows stay pending, never
         *        counted against the row), positive; defaults to {@link OutboxPublisher#DEFAULT_SEND_TIMEOUT 30 s}
         * @return this builder
         */
        public Builder sendTimeout(Duration timeout) {
            s.sendTimeout = Checks.once("sendTimeout", s.sendTimeout, Checks.positive("sendTimeout", timeout));
            return this;
        }

        /**
         * @param policy back-off and attempt limit for rows whose publishing fails for a reason other than an
         *        unreachable broker; defaults to {@link OutboxPublisher#DEFAULT_RETRY} (exponential 1 s to
         *        1 min, 5 attempts, 20% jitter)
         * @return this builder
         */
        public Builder retry(RetryPolicy policy) {
            s.retry = Checks.once("retry", s.retry, Objects.requireNonNull(policy, "retry"));
            return this;
        }

        /**
         * @param naming topic of rows without a topic override; defaults to
         *        {@link OutboxPublisher#DEFAULT_TOPIC_NAMING} ({@code <aggregate type in lower case>-events})
         * @return this builder
         */
        public Builder topicNaming(TopicNaming naming) {
            s.topicNaming = Checks.once("topicNaming", s.topicNaming, Objects.requireNonNull(naming, "topicNaming"));
            return this;
        }

        /**
         * @param sink also receives every row moved to the dead table (which keeps it either way); defaults to
         *        none
         * @return this builder
         */
        public Builder deadLetter(DeadLetterSink sink) {
            s.deadLetter = Checks.once("deadLetter", s.deadLetter, Objects.requireNonNull(sink, "deadLetter"));
            return this;
        }

        /**
         * @param retention how long dead rows are kept before being purged, positive; defaults to
         *        {@link OutboxPublisher#DEFAULT_DEAD_RETENTION 14 days}
         * @return this builder
         */
        public Builder deadRetention(Duration retention) {
            s.deadRetention = Checks.once("deadRetention", s.deadRetention, Checks.positive("deadRetention", retention));
            return this;
        }

        /**
         * @param retention how long published rows are kept, for stores that mark rather than delete them,
         *        positive; defaults to none (no purge of published rows)
         * @return this builder
         */
        public Builder publishedRetention(Duration retention) {
            s.publishedRetention = Checks.once("publishedRetention", s.publishedRetention,
                    Checks.positive("publishedRetention", retention));
            return this;
        }

        /**
         * @param rows rows deleted per purge statement, at least 1; defaults to
         *        {@value OutboxPublisher#DEFAULT_PURGE_BATCH}
         * @return this builder
         */
        public Builder purgeBatch(int rows) {
            s.purgeBatch = Checks.once("purgeBatch", s.purgeBatch, Checks.atLeast("purgeBatch", rows, 1));
            return this;
        }

        /**
         * @param enabled whether a wake-up by a local append also hints relays in other processes (when the store
         *        has a {@link HintChannel}, e.g. PostgreSQL {@code NOTIFY}); defaults to
         *        {@value OutboxPublisher#DEFAULT_HINT_OTHERS}
         * @return this builder
         */
        public Builder hintOthers(boolean enabled) {
            s.hintOthers = Checks.once("hintOthers", s.hintOthers, enabled);
            return this;
        }

        /**
         * @param enabled send only the first due row of each key per pass, the next once it is acknowledged; defaults
         *        to {@code false}. For publishers without transactions (or {@code transactional(false)}): on, a key's
         *        first copies keep id order even when a send fails after later rows of its key went out (a producer
         *        batch expired while its partition had no leader), at one row per key per pass (a hot key moves at
         *        one row per round trip). A transactional relay keeps that order without it.
         * @return this builder
         */
        public Builder oneInFlightPerKey(boolean enabled) {
            s.oneInFlightPerKey = Checks.once("oneInFlightPerKey", s.oneInFlightPerKey, enabled);
            return this;
        }

        /**
         * @param enabled whether each pass publishes each shard's rows in one transaction of the shard's stream
         *        ({@code <outboxName>-<shard>}), committed with the ids it published: a failed send aborts it, so a
         *        key's later rows never overtake an earlier one for committed-only readers, and a relay taking a shard
         *        over settles what the last holder committed instead of sending it again (each keyed row once).
         *        Defaults to {@code true} whenever the publisher offers {@link EventPublisher#transactions()} (the
         *        Kafka publisher does). Rows of {@link OutboxStore#unkeyedClaims() unkeyed claims} go without one.
         *        Off: at least once (see {@link #oneInFlightPerKey}). See {@code docs/transactions.md}.
         * @return this builder
         */
        public Builder transactional(boolean enabled) {
            s.transactional = Checks.once("transactional", s.transactional, enabled);
            return this;
        }

        /**
         * @param name this outbox's name in its stream ids, stable and unique per broker; defaults to the store's
         *        {@link OutboxRows#name() name} (the JDBC store's table)
         * @return this builder
         */
        public Builder outboxName(String name) {
            s.outboxName = Checks.once("outboxName", s.outboxName, Checks.notBlank("outboxName", name));
            return this;
        }

        /**
         * @param source time source for leases, back-off and retention; defaults to {@link Clock#system()}
         * @return this builder
         */
        public Builder clock(Clock source) {
            s.clock = Checks.once("clock", s.clock, Objects.requireNonNull(source, "clock"));
            return this;
        }

        /**
         * @param outboxMetrics where relay metrics go, e.g. {@link io.eventcore.micrometer.MicrometerMetrics};
         *        defaults to {@link OutboxMetrics#noop()}
         * @return this builder
         */
        public Builder metrics(OutboxMetrics outboxMetrics) {
            s.metrics = Checks.once("metrics", s.metrics, Objects.requireNonNull(outboxMetrics, "metrics"));
            return this;
        }

        /**
         * @param observer traces each row sent, as a child of the context stored with it; defaults to none
         * @return this builder
         */
        public Builder instrumentation(io.eventcore.observation.EventInstrumentation observer) {
            s.instrumentation = Checks.once("instrumentation", s.instrumentation, Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /**
         * @return the relay, not started
         * @throws IllegalStateException if the store or publisher is missing, or the poll intervals are reversed
         */
        public OutboxPublisher build() {
            s.check();
            return new OutboxPublisher(s);
        }
    }
}
