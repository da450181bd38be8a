package io.eventcore.test;

import io.eventcore.transport.ConsumerHealth;
import io.eventcore.routing.DispatchResult;
import io.eventcore.transport.EventConsumer;
import io.eventcore.EventHeaders;
import io.eventcore.routing.EventRouter;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.Ordering;
import io.eventcore.internal.Checks;
import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.OffsetTracker;
import io.eventcore.transport.internal.Redelivery;
import io.eventcore.transport.internal.Settlement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one topic of an {@link InMemoryBroker} through an {@link io.eventcore.routing.EventRouter},
 * with the acknowledgement semantics of the Kafka consumer: only the highest contiguous completed
 * offset of each partition is committed; {@code FAILED} outcomes are retried with back-off and
 * hold back the commit; {@code RETRY_LATER} re-appends the message with the attempt headers; a
 * fatal error stops the consumer ({@link ConsumerHealth.Status#DOWN}).
 *
 * <p>Thread-safe. Create it with {@link InMemoryBroker#consumer(String, String, EventRouter)}.
 */
public final class InMemoryEventConsumer implements EventConsumer {
    private static final Logger log = LoggerFactory.getLogger(InMemoryEventConsumer.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final InMemoryBroker broker;
    private final String group;
    private final String topic;
    private final EventRouter router;
    private final Ordering ordering;
    private final int maxInFlight;
    private final ExecutorService ownedExecutor;
    private final KeyedSerialExecutor workers;
    private final ScheduledExecutorService timer;
    private final OffsetTracker[] trackers;
    private final long[] positions;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Thread pollThread;
    private final Settlement settlement;
    private volatile boolean running;
    private volatile boolean started;
    private volatile Throwable fatal;

    private InMemoryEventConsumer(Builder b) {
        this.broker = b.broker;
        this.group = b.group;
        this.topic = b.topic;
        this.router = b.router;
        this.ordering = b.ordering != null ? b.ordering : Ordering.KEY;
        this.maxInFlight = b.maxInFlight != null ? b.maxInFlight : Builder.DEFAULT_MAX_IN_FLIGHT;
        Executor executor = b.executor;
        if (executor == null) {
            ownedExecutor = Executors.newFixedThreadPool(b.maxConcurrency != null ? b.maxConcurrency : Builder.DEFAULT_MAX_CONCURRENCY, r -> daemon(r, "eventcore-inmemory-worker"));
            executor = ownedExecutor;
        } else {
            ownedExecutor = null;
        }
        this.workers = new KeyedSerialExecutor(executor);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "eventcore-inmemory-timer"));
        int partitions = broker.partitions(topic);
        this.trackers = new OffsetTracker[partitions];
        this.positions = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            trackers[p] = new OffsetTracker();
            positions[p] = broker.committedOffset(group, topic, p);
        }
        this.settlement = new Settlement(router, timer, () -> running, this::redeliver, new Settlement.BlockListener() {
            @Override
            public void blocked(InboundMessage message) {
            }

            @Override
            public void unblocked(InboundMessage message) {
            }
        }, FIRST_BACKOFF, MAX_BACKOFF);
        this.pollThread = daemon(this::pollLoop, "eventcore-inmemory-poll-" + group);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("consumer for group " + group + " was already started");
        }
        started = true;
        running = true;
        pollThread.start();
    }

    private void pollLoop() {
        try {
            while (running && fatal == null) {
                boolean fetched = false;
                for (int p = 0; p < trackers.length && fatal == null; p++) {
                    int room = maxInFlight - inFlight.get();
                    if (room <= 0) {
                        break;
                    }
                    List<InboundMessage> batchable = new ArrayList<>();
                    for (InboundMessage m : broker.fetch(topic, p, positions[p], room)) {
                        InboundMessage msg = m.toBuilder().consumerGroup(group).build();
                        trackers[p].track(msg.offset());
                        positions[p] = msg.offset() + 1;
                        inFlight.incrementAndGet();
                        if (router.batching() && parseDue(msg) == null) {
                            batchable.add(msg); // batch routes: the fetch's records go in groups, as on Kafka
                        } else {
                            submit(msg);
                        }
                        fetched = true;
                    }
                    submitGroups(batchable);
                }
                commit();
                if (!fetched) {
                    broker.awaitAppend(10);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Object orderingKey(InboundMessage msg) {
        return switch (ordering) {
            case KEY -> msg.key() == null ? null : msg.keyAsString();
            case PARTITION -> msg.partition();
            case UNORDERED -> null;
        };
    }

    /** One worker task per ordering key (records without one: one group), settled in order by dispatchBatch. */
    private void submitGroups(List<InboundMessage> msgs) {
        Map<Object, List<InboundMessage>> groups = new LinkedHashMap<>();
        Object noKey = new Object();
        for (InboundMessage m : msgs) {
            Object key = orderingKey(m);
            groups.computeIfAbsent(key != null ? key : noKey, k -> new ArrayList<>()).add(m);
        }
        groups.forEach((key, group) -> {
            List<Settlement.Lease> leases = new ArrayList<>();
            group.forEach(m -> leases.add(OWNED));
            boolean[] ended = new boolean[group.size()];
            workers.submit(key == noKey ? null : key, () -> settlement.processBatch(group, leases, (i, t) -> {
                ended[i] = true;
                finished(group.get(i), t);
            }, key != noKey)).whenComplete((v, t) -> {
                for (int i = 0; i < ended.length; i++) {
                    if (!ended[i]) {
                        finished(group.get(i), t != null ? t : new IllegalStateException("not settled"));
                    }
                }
            });
        });
    }

    /** Ownership never moves in memory: the consumer's running flag is checked by the settlement itself. */
    private static final Settlement.Lease OWNED = new Settlement.Lease() {
        @Override
        public boolean valid() {
            return true;
        }

        @Override
        public void blocked(InboundMessage message) {
        }

        @Override
        public void unblocked(InboundMessage message) {
        }
    };

    private void submit(InboundMessage msg) {
        Object key = orderingKey(msg);
        // A redelivered copy waits for its due time off the key's queue, so it blocks nobody.
        Instant due = parseDue(msg);
        CompletionStage<Void> done = due != null && due.isAfter(Instant.now())
                ? delay(Duration.between(Instant.now(), due)).thenCompose(v -> workers.submit(null, () -> settlement.process(msg)))
                : workers.submit(key, () -> settlement.process(msg));
        done.whenComplete((v, t) -> finished(msg, t));
    }

    private void finished(InboundMessage msg, Throwable failure) {
        Throwable t = failure;
        if (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof Settlement.FatalDispatchException fatalError) {
            fatal = fatalError.getCause();
            log.error("consumer {} stopped by a fatal error at {}", group, msg, fatal);
        } else if (t == null) {
            trackers[msg.partition()].complete(msg.offset());
        }
        inFlight.decrementAndGet();
    }

    private static Instant parseDue(InboundMessage msg) {
        String due = msg.header(EventHeaders.DUE_AT);
        try {
            return due == null ? null : Instant.parse(due);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private CompletionStage<Void> redeliver(InboundMessage msg, DispatchResult result) {
        List<MessageHeader> headers = Redelivery.headers(msg, result, Instant.now());
        broker.append(new OutboundMessage(topic, msg.keyAsString(), msg.value(), headers));
        return CompletableFuture.completedFuture(null);
    }

    private CompletableFuture<Void> delay(Duration d) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            timer.schedule(() -> f.complete(null), d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
            f.completeExceptionally(rejected);
        }
        return f;
    }

    private void commit() {
        for (int p = 0; p < trackers.length; p++) {
            long next = trackers[p].committable();
            if (next >= 0) {
                broker.commit(group, topic, p, next);
            }
        }
    }

    @Override
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (!running && !started) {
            return;
        }
        running = false;
        try {
            pollThread.join(timeout.toMillis() + 1);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                broker.awaitAppend(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commit();
        timer.shutdownNow();
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
        started = true;
    }

    @Override
    public ConsumerHealth health() {
        if (fatal != null) {
            return new ConsumerHealth(ConsumerHealth.Status.DOWN, "fatal error: " + fatal);
        }
        return running ? new ConsumerHealth(ConsumerHealth.Status.UP, inFlight.get() + " in flight")
                : new ConsumerHealth(ConsumerHealth.Status.STOPPED, "not running");
    }

    /**
     * Builds {@link InMemoryEventConsumer}s. Each setting may be made once
     * ({@link IllegalStateException} naming it otherwise). Not thread-safe.
     */
    public static final class Builder {
        /** Default bound on messages being processed at once: {@value}. */
        public static final int DEFAULT_MAX_IN_FLIGHT = 1000;
        /** Default worker threads when no executor is given: {@value}. */
        public static final int DEFAULT_MAX_CONCURRENCY = 16;

        private final InMemoryBroker broker;
        private final String group;
        private final String topic;
        private final EventRouter router;
        private Ordering ordering;
        private Integer maxInFlight;
        private Integer maxConcurrency;
        private Executor executor;

        Builder(InMemoryBroker broker, String group, String topic, EventRouter router) {
            this.broker = broker;
            this.group = Checks.notBlank("group", group);
            this.topic = Checks.notBlank("topic", topic);
            this.router = Objects.requireNonNull(router, "router");
        }

        /**
         * @param mode ordering mode; defaults to {@link Ordering#KEY}
         * @return this builder
         */
        public Builder ordering(Ordering mode) {
            this.ordering = Checks.once("ordering", ordering, Objects.requireNonNull(mode, "ordering"));
            return this;
        }

        /**
         * @param max messages processed at once, &gt;= 1; defaults to {@value #DEFAULT_MAX_IN_FLIGHT}
         * @return this builder
         */
        public Builder maxInFlight(int max) {
            this.maxInFlight = Checks.once("maxInFlight", maxInFlight, Checks.atLeast("maxInFlight", max, 1));
            return this;
        }

        /**
         * @param threads worker threads when no executor is given, &gt;= 1; defaults to
         *     {@value #DEFAULT_MAX_CONCURRENCY}
         * @return this builder
         */
        public Builder maxConcurrency(int threads) {
            this.maxConcurrency = Checks.once("maxConcurrency", maxConcurrency, Checks.atLeast("maxConcurrency", threads, 1));
            return this;
        }

        /**
         * @param pool runs handlers; the caller owns it
         * @return this builder
         */
        public Builder executor(Executor pool) {
            this.executor = Checks.once("executor", executor, Objects.requireNonNull(pool, "executor"));
            return this;
        }

        /** @return the consumer, not yet started */
        public InMemoryEventConsumer build() {
            return new InMemoryEventConsumer(this);
        }
    }
}
