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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *   <li><b>At least once.</b> A row is deleted (or marked) only after the broker acknowledged it. A
 *       relay that dies between the acknowledgement and the settlement leaves the row to be sent
 *       again by whoever takes its shard over: a duplicate, never a loss.</li>
 *   <li><b>Per-key order across relay instances.</b> Keyed rows are sharded by key; a shard is relayed
 *       by the one relay holding its lease, in id order. Settlements carry the lease's fence, so a
 *       relay that lost its shard cannot mark rows. Even then, the first delivery of each row of a key
 *       follows id order.</li>
 *   <li><b>A failing row blocks only its key.</b> Failures the publisher calls
 *       {@link EventPublisher#isTransient transient} (broker down) are not counted while nothing of the batch
 *       got through: the row waits and the relay backs off. Other failures count as attempts of the row, retried with the
 *       {@link Builder#retry retry policy}'s back-off; after {@link RetryPolicy#maxAttempts()} the row
 *       moves to the dead table and is handed to the {@link Builder#deadLetter dead-letter sink}. Rows
 *       behind it with the same key wait while it is retried, then flow once it is dead.</li>
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
    private static final Logger log = LoggerFactory.getLogger(OutboxPublisher.class);

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

    private final String relayId;
    private final OutboxLeases store;
    private final ShardLeases leases;
    private final RelayStats stats;
    private final RelayPass pass;
    private final RelayLoop loop;
    private final boolean transactional;

    private OutboxPublisher(RelaySettings s) {
        this.relayId = s.relayIdOrRandom();
        this.store = s.store;
        Clock clock = s.clock();
        OutboxMetrics metrics = new SafeMetrics(s.metrics());
        this.stats = new RelayStats(clock, metrics);
        this.leases = new ShardLeases(s.store, s.store.shardCount(), relayId, s.leaseTtl(), metrics);
        ShardStreams streams = s.transactions().map(t -> new ShardStreams(t, s.outboxName())).orElse(null);
        this.transactional = streams != null;
        OutboxBatch batch = new OutboxBatch(s.publisher, new OutboxMessages(s.topicNaming()), s.retry(),
                s.sendTimeout(), clock, s.instrumentation(), s.oneInFlightPerKey(), streams);
        Housekeeping housekeeping = new Housekeeping(s.store, s.deadRetention(), s.publishedRetention, s.purgeBatch(), metrics);
        this.pass = new RelayPass(s.store, leases, batch, stats, new DeadRowHandOff(s.deadLetter, clock),
                housekeeping, s.batchSize(), clock, streams);
        RelayHints hints = new RelayHints(s.store.hints(), s.hintOthers(), leases, s.minPoll(), clock);
        this.loop = new RelayLoop(relayId, pass, stats, hints, s.minPoll(), s.maxPoll());
        loop.listenForAppends(s.store);
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
        loop.start();
    }

    /** Wakes the relay thread for an immediate pass. Cheap; safe from any thread. */
    public void wakeUp() {
        loop.wakeUp();
    }

    /**
     * Runs passes on the caller's thread until no row is due: for tests and batch jobs. When the relay
     * is not started, it unregisters at the end, so it does not keep counting as a live relay.
     *
     * @return how many rows were published
     * @throws EventcoreException if the store or the broker is unreachable
     */
    public int publishPending() {
        return pass.exclusively(() -> {
            try {
                return pass.drain();
            } finally {
                if (!loop.running()) {
                    leases.forgetAll();
                    leave("after its pass");
                }
            }
        });
    }

    /** @return a snapshot of this relay; safe from any thread */
    public OutboxStatus status() {
        return stats.status(relayId, loop.running(), leases.shards());
    }

    /**
     * @return whether this relay publishes in transactions ({@link Builder#transactional}): each shard's rows of a
     *         pass in one transaction, committed with the ids it published
     */
    public boolean transactional() {
        return transactional;
    }

    /** @return this relay's id */
    public String relayId() {
        return relayId;
    }

    /**
     * Stops the relay thread after its current batch (waiting at most {@code timeout}), finishes its last
     * settlement, releases its leases and unregisters it. Rows not yet published stay in the store. Idempotent.
     *
     * @param timeout how long to wait for the current batch
     */
    public void close(Duration timeout) {
        loop.stop(timeout);
        pass.exclusively(() -> { pass.quiesce(); return leave(""); });
    }

    /** Closes with a {@link #DEFAULT_CLOSE_TIMEOUT 10 second} timeout. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    private Void leave(String when) {
        try {
            store.leave(relayId);
        } catch (RuntimeException e) {
            log.warn("relay {} could not unregister{}; its leases expire on their own", relayId,
                    when.isEmpty() ? "" : " " + when, e);
        }
        return null;
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
         * Whether the relay publishes in transactions. Defaults to {@code true} whenever the publisher offers
         * {@link EventPublisher#transactions() transactions} (the Kafka publisher does), {@code false} otherwise.
         *
         * <p>On, every pass publishes each shard's rows in one transaction of the shard's stream (id
         * {@code <outboxName>-<shard>}), committed together with the ids it published. A failed send aborts the
         * transaction, so a key's later rows are never visible to committed-only readers before an earlier row:
         * per-key order holds without {@link #oneInFlightPerKey}. A relay that takes a shard over first reads what
         * the previous holder committed and settles those rows without sending them again, so committed-only
         * readers see each keyed row once even when a relay dies between the broker's commit and the store's
         * settlement. Opening the shard's stream fences the previous holder at the broker as the lease's fence
         * does in the store. Rows without a key claimed outside the shards ({@link OutboxStore#unkeyedClaims()})
         * are sent without a transaction: at least once.
         *
         * <p>Off, rows are sent as they come: at least once, and a send that fails after later rows of its key
         * went through (an expired producer batch) puts those rows first unless {@link #oneInFlightPerKey} is on.
         *
         * @param enabled whether to use transactions
         * @return this builder
         */
        public Builder transactional(boolean enabled) {
            s.transactional = Checks.once("transactional", s.transactional, enabled);
            return this;
        }

        /**
         * @param name names this outbox in the relay's transactional stream ids ({@code <name>-<shard>}); stable
         *        across restarts and unique among the outboxes relayed to one broker. Defaults to the store's
         *        {@link OutboxRows#name() name} (the JDBC store's table name).
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
