package io.eventcore.outbox;

import io.eventcore.transport.TopicNaming;
import io.eventcore.Clock;
import io.eventcore.EventcoreException;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.micrometer.MicrometerMetrics;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.transport.EventPublisher;

import io.eventcore.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox relay: reads pending rows from an {@link OutboxStore}, publishes them through an
 * {@link EventPublisher} and settles them.
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
 *       {@link EventPublisher#isTransient transient} (broker down) are not counted: the row waits and
 *       the relay backs off. Other failures count as attempts of the row, retried with the
 *       {@link Builder#retry retry policy}'s back-off; after {@link RetryPolicy#maxAttempts()} the row
 *       moves to the dead table and is handed to the {@link Builder#deadLetter dead-letter sink}. Rows
 *       behind it with the same key wait while it is retried, then flow once it is dead.</li>
 * </ul>
 *
 * <h2>Latency</h2>
 * The relay polls adaptively: right away while there is work, then at intervals doubling from
 * {@link Builder#minPollInterval} to {@link Builder#maxPollInterval} while idle. An append through
 * this process's outbox wakes it at once (see {@link OutboxStore#onAppend}).
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

    private final OutboxStore store;
    private final String relayId;
    private final int batchSize;
    private final Duration minPoll;
    private final Duration maxPoll;
    private final Duration deadRetention;
    private final Duration publishedRetention;
    private final int purgeBatch;
    private final Clock clock;
    private final OutboxMetrics metrics;
    private final DeadLetterSink deadLetter;
    private final boolean hintOthers;
    private final OutboxBatch batch;
    private final ShardLeases leases;

    private final ReentrantLock passLock = new ReentrantLock();
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wakeUp = wakeLock.newCondition();
    private boolean woken;
    private volatile boolean running;
    private volatile boolean stopping;
    private Thread thread;
    private AutoCloseable hintListener;

    private final AtomicLong published = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong died = new AtomicLong();
    private final AtomicLong fenced = new AtomicLong();
    private volatile Instant lastPublishAt;
    private volatile String lastError;
    private Instant nextHousekeeping = Instant.MIN;
    private Instant lastHint = Instant.MIN;

    private OutboxPublisher(Builder b) {
        this.store = b.store;
        this.relayId = b.relayId != null ? b.relayId : "relay-" + UUID.randomUUID();
        this.batchSize = b.batchSize;
        this.minPoll = b.minPoll;
        this.maxPoll = b.maxPoll;
        this.deadRetention = b.deadRetention;
        this.publishedRetention = b.publishedRetention;
        this.purgeBatch = b.purgeBatch;
        this.clock = b.clock;
        this.metrics = b.metrics;
        this.deadLetter = b.deadLetter;
        this.hintOthers = b.hintOthers;
        this.batch = new OutboxBatch(b.publisher, b.topicNaming, b.retry, b.sendTimeout, b.clock);
        this.leases = new ShardLeases(store, relayId, b.leaseTtl, metrics);
        store.onAppend(this::wakeUp);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the relay thread. Also starts listening for other processes' hints when the store offers them.
     *
     * @throws IllegalStateException if already started or closed
     */
    public synchronized void start() {
        if (running || stopping) {
            throw new IllegalStateException("relay " + relayId + " was already started");
        }
        running = true;
        hintListener = store.listenForHints(this::wakeUp);
        thread = new Thread(this::loop, "eventcore-outbox-" + relayId);
        thread.setDaemon(true);
        thread.start();
    }

    /** Wakes the relay thread for an immediate pass. Cheap; safe from any thread. */
    public void wakeUp() {
        wakeLock.lock();
        try {
            woken = true;
            wakeUp.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    /**
     * Runs passes on the caller's thread until no row is due: for tests and batch jobs. When the relay
     * is not started, it unregisters at the end, releasing the leases taken for the pass.
     *
     * @return how many rows were published
     * @throws EventcoreException if the store or the broker is unreachable
     */
    public int publishPending() {
        int total = 0;
        passLock.lock();
        try {
            while (true) {
                Pass pass = pass();
                total += pass.published;
                if (pass.rows == 0 || pass.outage) {
                    break;
                }
            }
        } finally {
            if (!running) {
                // A standalone pass must not keep counting as a live relay: others would hold back shares.
                leases.forgetAll();
                try {
                    store.leave(relayId);
                } catch (RuntimeException e) {
                    log.warn("relay {} could not unregister after its pass; its leases expire on their own",
                            relayId, e);
                }
            }
            passLock.unlock();
        }
        return total;
    }

    /** @return a snapshot of this relay */
    public OutboxStatus status() {
        return new OutboxStatus(relayId, running, leases.shards(), published.get(), retried.get(), died.get(),
                fenced.get(), lastPublishAt, lastError);
    }

    /** @return this relay's id */
    public String relayId() {
        return relayId;
    }

    /**
     * Stops the relay thread after its current batch (waiting at most {@code timeout}), releases its
     * leases and unregisters it. Rows not yet published stay in the store. Idempotent.
     *
     * @param timeout how long to wait for the current batch
     */
    public void close(Duration timeout) {
        Thread t;
        synchronized (this) {
            stopping = true;
            t = thread;
        }
        wakeUp();
        if (t != null) {
            try {
                t.join(Math.max(1, timeout.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("relay {} did not finish its batch within {}; interrupting it", relayId, timeout);
                t.interrupt();
            }
        }
        running = false;
        closeQuietly(hintListener);
        passLock.lock();
        try {
            store.leave(relayId);
        } catch (RuntimeException e) {
            log.warn("relay {} could not unregister; its leases expire on their own", relayId, e);
        } finally {
            passLock.unlock();
        }
    }

    /** Closes with a 10 second timeout. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private void loop() {
        Duration idle = minPoll;
        Duration failureBackoff = minPoll;
        while (!stopping) {
            Duration wait;
            try {
                Pass pass;
                passLock.lock();
                try {
                    pass = pass();
                } finally {
                    passLock.unlock();
                }
                if (pass.outage) {
                    failureBackoff = min(failureBackoff.multipliedBy(2), maxPoll.multipliedBy(5));
                    wait = failureBackoff;
                } else if (pass.rows > 0) {
                    idle = minPoll;
                    failureBackoff = minPoll;
                    continue;
                } else {
                    failureBackoff = minPoll;
                    wait = idle;
                    idle = min(idle.multipliedBy(2), maxPoll);
                }
            } catch (RuntimeException e) {
                lastError = e.toString();
                if (failureBackoff.equals(minPoll)) {
                    log.warn("relay {} pass failed; backing off and retrying: {}", relayId, e.toString());
                }
                failureBackoff = min(failureBackoff.multipliedBy(2), maxPoll.multipliedBy(5));
                wait = failureBackoff;
            }
            if (awaitWakeUp(wait)) {
                idle = minPoll;
                hintOthersIfUseful();
            }
        }
    }

    /** One pass: maintain leases, publish one batch from every held shard (and the unkeyed claim), settle. */
    private Pass pass() {
        Instant now = clock.now();
        leases.maintain(now);
        Map<Object, List<OutboxRecord>> groups = new LinkedHashMap<>();
        for (OutboxLease lease : leases.fresh(now)) {
            List<OutboxRecord> rows = store.fetch(lease, now, batchSize);
            if (!rows.isEmpty()) {
                groups.put(lease, rows);
            }
        }
        Pass pass = new Pass();
        if (!groups.isEmpty()) {
            long started = System.nanoTime();
            OutboxBatch.Round round = batch.publish(groups);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            Instant settledAt = clock.now();
            for (Map.Entry<Object, OutboxCompletion> e : round.completions().entrySet()) {
                OutboxLease lease = (OutboxLease) e.getKey();
                if (!store.complete(lease, e.getValue(), settledAt)) {
                    fenced.incrementAndGet();
                    leases.fenced(lease);
                    // Its dead rows were not moved: they are not handed to the sink either.
                    round.dead().removeIf(f -> e.getValue().dead().stream().anyMatch(d -> d.record().id() == f.row().id()));
                }
            }
            account(pass, round, groups, elapsed);
        }
        if (store.supportsUnkeyedClaims()) {
            Object marker = new Object();
            store.relayUnkeyed(now, batchSize, rows -> {
                long started = System.nanoTime();
                OutboxBatch.Round round = batch.publish(Map.of(marker, rows));
                account(pass, round, Map.of(marker, rows), Duration.ofNanos(System.nanoTime() - started));
                return round.completions().get(marker);
            });
        }
        housekeeping(now);
        if (!pass.outage) {
            lastError = null;
        }
        return pass;
    }

    private void account(Pass pass, OutboxBatch.Round round, Map<Object, List<OutboxRecord>> groups,
            Duration elapsed) {
        int retries = 0;
        for (OutboxCompletion c : round.completions().values()) {
            retries += c.retries().size();
        }
        int rows = groups.values().stream().mapToInt(List::size).sum();
        pass.rows += rows;
        pass.published += round.published();
        pass.outage |= round.allTransientFailures();
        published.addAndGet(round.published());
        retried.addAndGet(retries);
        died.addAndGet(round.dead().size());
        if (round.published() > 0) {
            lastPublishAt = clock.now();
        }
        if (round.allTransientFailures()) {
            lastError = "broker unavailable: " + round.lastFailure();
        }
        int r = retries;
        ShardLeases.safely(() -> metrics.batchPublished(round.sent(), round.published(), elapsed));
        if (r > 0) {
            ShardLeases.safely(() -> metrics.retried(r));
        }
        if (!round.dead().isEmpty()) {
            ShardLeases.safely(() -> metrics.dead(round.dead().size()));
        }
        for (OutboxBatch.Failure f : round.dead()) {
            handOver(f);
        }
    }

    /** Hands a dead row to the sink; the dead table already holds it, so a sink failure loses nothing. */
    private void handOver(OutboxBatch.Failure f) {
        log.error("outbox row {} moved to the dead table after {} attempts: {}", f.row(), f.row().attempts(),
                f.row().lastError());
        if (deadLetter == null) {
            return;
        }
        OutboxRecord row = f.row();
        Instant now = clock.now();
        DeadLetter letter = DeadLetter.builder()
                .key(row.aggregateId() == null ? null : row.aggregateId().getBytes(StandardCharsets.UTF_8))
                .value(row.payload()).headers(f.headers()).topic(f.topic()).offset(row.id())
                .timestamp(row.createdAt()).eventId(row.eventId()).eventType(row.eventType())
                .handlerName("outbox-relay").failure(f.cause())
                .attempts(row.attempts()).firstFailureAt(now).lastFailureAt(now).build();
        try {
            deadLetter.accept(letter);
        } catch (Exception e) {
            log.warn("dead-letter sink refused outbox row {}; it stays in the dead table", row, e);
        }
    }

    private void housekeeping(Instant now) {
        if (now.isBefore(nextHousekeeping)) {
            return;
        }
        nextHousekeeping = now.plusSeconds(5);
        int purged = store.purgeDead(now.minus(deadRetention), purgeBatch);
        if (publishedRetention != null) {
            purged += store.purgePublished(now.minus(publishedRetention), purgeBatch);
        }
        if (purged == purgeBatch) {
            nextHousekeeping = now; // more to purge: keep going next pass
        }
        OutboxBacklog backlog = store.backlog();
        ShardLeases.safely(() -> metrics.backlog(backlog.pending(), backlog.oldestAge(now), backlog.dead()));
    }

    private boolean awaitWakeUp(Duration wait) {
        wakeLock.lock();
        try {
            long nanos = wait.toNanos();
            while (!woken && !stopping && nanos > 0) {
                nanos = wakeUp.awaitNanos(nanos);
            }
            boolean wasWoken = woken;
            woken = false;
            return wasWoken;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
            return false;
        } finally {
            wakeLock.unlock();
        }
    }

    /** A local append may be in a shard another process relays: tell the others, at most once per min poll. */
    private void hintOthersIfUseful() {
        if (!hintOthers || leases.size() == store.shardCount()) {
            return;
        }
        Instant now = clock.now();
        if (Duration.between(lastHint, now).compareTo(minPoll) >= 0) {
            lastHint = now;
            try {
                store.hintOthers();
            } catch (RuntimeException e) {
                log.debug("could not hint other relays", e);
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing the hint listener failed", e);
            }
        }
    }

    /** Counters of one pass. */
    private static final class Pass {
        int rows;
        int published;
        boolean outage;
    }

    /**
     * Builds an {@link OutboxPublisher}. Every setting may be given once; a repeated one throws
     * {@link IllegalStateException}, an invalid value {@link IllegalArgumentException}. Not thread-safe.
     */
    public static final class Builder {
        private OutboxStore store;
        private EventPublisher publisher;
        private String relayId;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration leaseTtl = DEFAULT_LEASE_TTL;
        private Duration minPoll = DEFAULT_MIN_POLL_INTERVAL;
        private Duration maxPoll = DEFAULT_MAX_POLL_INTERVAL;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
        private Duration deadRetention = DEFAULT_DEAD_RETENTION;
        private Duration publishedRetention;
        private int purgeBatch = DEFAULT_PURGE_BATCH;
        private RetryPolicy retry = RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofMinutes(1))
                .maxAttempts(5).jitter(0.2);
        private TopicNaming topicNaming = TopicNaming.perAggregate();
        private Clock clock = Clock.system();
        private OutboxMetrics metrics = OutboxMetrics.noop();
        private DeadLetterSink deadLetter;
        private boolean hintOthers = true;
        private final java.util.Set<String> set = new java.util.HashSet<>();

        private Builder() {
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException(name + " was already set");
            }
        }

        /**
         * @param outboxStore where the rows are (required)
         * @return this builder
         */
        public Builder store(OutboxStore outboxStore) {
            once("store");
            this.store = Objects.requireNonNull(outboxStore, "store");
            return this;
        }

        /**
         * @param eventPublisher what publishes the rows (required); the relay does not close it
         * @return this builder
         */
        public Builder publisher(EventPublisher eventPublisher) {
            once("publisher");
            this.publisher = Objects.requireNonNull(eventPublisher, "publisher");
            return this;
        }

        /**
         * @param id this relay's id in the lease table; defaults to {@code relay-<random UUID>}. Two live
         *        relays must never share an id.
         * @return this builder
         */
        public Builder relayId(String id) {
            once("relayId");
            this.relayId = Checks.notBlank("relayId", id);
            if (id.length() > 128) {
                throw new IllegalArgumentException("relayId must be at most 128 characters, but was " + id.length());
            }
            return this;
        }

        /**
         * @param rows rows read per shard per pass; defaults to {@value OutboxPublisher#DEFAULT_BATCH_SIZE}
         * @return this builder
         */
        public Builder batchSize(int rows) {
            once("batchSize");
            this.batchSize = Checks.atLeast("batchSize", rows, 1);
            return this;
        }

        /**
         * @param ttl lease time to live; a dead relay's shards are taken over after at most this. Defaults to 10 s.
         * @return this builder
         */
        public Builder leaseTtl(Duration ttl) {
            once("leaseTtl");
            this.leaseTtl = Checks.positive("leaseTtl", ttl);
            return this;
        }

        /**
         * @param interval shortest idle poll interval; defaults to 5 ms
         * @return this builder
         */
        public Builder minPollInterval(Duration interval) {
            once("minPollInterval");
            this.minPoll = Checks.positive("minPollInterval", interval);
            return this;
        }

        /**
         * @param interval longest idle poll interval (the latency without wake-ups); defaults to 1 s
         * @return this builder
         */
        public Builder maxPollInterval(Duration interval) {
            once("maxPollInterval");
            this.maxPoll = Checks.positive("maxPollInterval", interval);
            return this;
        }

        /**
         * @param timeout how long a batch may wait for acknowledgements before its unacknowledged rows count as
         *        transient failures; defaults to 30 s
         * @return this builder
         */
        public Builder sendTimeout(Duration timeout) {
            once("sendTimeout");
            this.sendTimeout = Checks.positive("sendTimeout", timeout);
            return this;
        }

        /**
         * @param policy back-off and attempt limit for rows whose publishing fails for a reason other than an
         *        unreachable broker; defaults to exponential 1 s to 1 min, 5 attempts, 20% jitter
         * @return this builder
         */
        public Builder retry(RetryPolicy policy) {
            once("retry");
            this.retry = Objects.requireNonNull(policy, "retry");
            return this;
        }

        /**
         * @param naming topic of rows without a topic override; defaults to {@link TopicNaming#perAggregate()}
         *     ({@code <aggregate type in lower case>-events})
         * @return this builder
         */
        public Builder topicNaming(TopicNaming naming) {
            once("topicNaming");
            this.topicNaming = Objects.requireNonNull(naming, "topicNaming");
            return this;
        }

        /**
         * @param sink also receives every row moved to the dead table (which keeps it either way); defaults to none
         * @return this builder
         */
        public Builder deadLetter(DeadLetterSink sink) {
            once("deadLetter");
            this.deadLetter = Objects.requireNonNull(sink, "deadLetter");
            return this;
        }

        /**
         * @param retention how long dead rows are kept before being purged; defaults to 14 days
         * @return this builder
         */
        public Builder deadRetention(Duration retention) {
            once("deadRetention");
            this.deadRetention = Checks.positive("deadRetention", retention);
            return this;
        }

        /**
         * @param retention how long published rows are kept, for stores that mark rather than delete them;
         *        defaults to none (no purge of published rows)
         * @return this builder
         */
        public Builder publishedRetention(Duration retention) {
            once("publishedRetention");
            this.publishedRetention = Checks.positive("publishedRetention", retention);
            return this;
        }

        /**
         * @param rows rows deleted per purge statement; defaults to {@value OutboxPublisher#DEFAULT_PURGE_BATCH}
         * @return this builder
         */
        public Builder purgeBatch(int rows) {
            once("purgeBatch");
            this.purgeBatch = Checks.atLeast("purgeBatch", rows, 1);
            return this;
        }

        /**
         * @param enabled whether a wake-up by a local append also hints relays in other processes (when the store
         *        supports it, e.g. PostgreSQL {@code NOTIFY}); defaults to {@code true}
         * @return this builder
         */
        public Builder hintOthers(boolean enabled) {
            once("hintOthers");
            this.hintOthers = enabled;
            return this;
        }

        /**
         * @param source time source for leases, back-off and retention; defaults to {@link Clock#system()}
         * @return this builder
         */
        public Builder clock(Clock source) {
            once("clock");
            this.clock = Objects.requireNonNull(source, "clock");
            return this;
        }

        /**
         * @param outboxMetrics where relay metrics go, e.g. {@link MicrometerMetrics}; defaults to none
         * @return this builder
         */
        public Builder metrics(OutboxMetrics outboxMetrics) {
            once("metrics");
            this.metrics = Objects.requireNonNull(outboxMetrics, "metrics");
            return this;
        }

        /**
         * @return the relay, not started
         * @throws IllegalStateException if the store or publisher is missing, or the poll intervals are reversed
         */
        public OutboxPublisher build() {
            if (store == null) {
                throw new IllegalStateException("store must be set");
            }
            if (publisher == null) {
                throw new IllegalStateException("publisher must be set");
            }
            if (minPoll.compareTo(maxPoll) > 0) {
                throw new IllegalStateException("minPollInterval (" + minPoll + ") must not exceed maxPollInterval ("
                        + maxPoll + ")");
            }
            if (sendTimeout.compareTo(leaseTtl.multipliedBy(3)) > 0) {
                log.debug("sendTimeout {} is long against leaseTtl {}: a slow broker may let leases lapse",
                        sendTimeout, leaseTtl);
            }
            return new OutboxPublisher(this);
        }
    }
}
