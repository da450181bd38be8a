package io.eventcore.outbox;

import io.eventcore.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settlement of a pass, committed on a settle thread while the next pass reads and sends other shards: the
 * database writes one pass's outcome while the broker and the reads work on the next. A shard whose settlement is
 * in flight is not read ({@link #shards}), so every shard still goes read, send, acknowledge, settle, read, and
 * per key nothing changes. What follows a settlement (fenced leases dropped, dead rows handed to the sink,
 * statistics) runs on the relay's thread, in {@link #finish}. At most one settlement is in flight.
 *
 * <p>Used by the relay's pass, one thread at a time; the settle thread only runs
 * {@link OutboxRows#completeAll}.
 */
final class SettlementPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SettlementPipeline.class);

    /** A settlement in flight: what the settle thread yields, the shards it covers, and the round's send time. */
    private record InFlight(Future<Settled> settled, Set<Integer> shards, Duration elapsed) {
    }

    /**
     * What the settle thread did: the round's outcomes (its commits awaited), by the lease each group may settle
     * under, the groups the broker fenced, and the leases whose fence the store found stale.
     */
    private record Settled(OutboxBatch.Round<OutboxLease> round, Map<OutboxLease, OutboxBatch.GroupOutcome> outcomes,
            List<OutboxLease> fencedByBroker, Set<OutboxLease> stale) {
    }

    private final OutboxRows store;
    private final ShardLeases leases;
    private final RelayStats stats;
    private final DeadRowHandOff handOff;
    private final Clock clock;
    private final ShardStreams streams;
    private final OutboxBatch batch;
    private ThreadPoolExecutor thread;
    private InFlight inFlight;

    SettlementPipeline(OutboxRows store, ShardLeases leases, RelayStats stats, DeadRowHandOff handOff, Clock clock,
            ShardStreams streams, OutboxBatch batch) {
        this.streams = streams;
        this.batch = batch;
        this.store = store;
        this.leases = leases;
        this.stats = stats;
        this.handOff = handOff;
        this.clock = clock;
    }

    /** @return whether a settlement is in flight */
    boolean busy() {
        return inFlight != null;
    }

    /** @return the shards whose settlement is in flight: not to be read until it is finished */
    Set<Integer> shards() {
        return inFlight == null ? Set.of() : inFlight.shards();
    }

    /**
     * Starts settling a sent round on the settle thread: it awaits the round's transactions (which commit while the
     * relay's thread reads and sends the next round), settles each group under its lease if that lease may still
     * settle now (a lease lost while awaiting is left out: its rows stay pending for the new holder), and applies
     * the completions in the store. {@link #finish} the one in flight first.
     */
    void start(SentRound<OutboxLease> sent, Duration elapsed) {
        if (inFlight != null) {
            throw new IllegalStateException("a settlement is in flight");
        }
        Instant settledAt = clock.now();
        Map<OutboxLease, OutboxLease> settleable = new LinkedHashMap<>();
        Set<Integer> shards = new HashSet<>();
        for (OutboxLease fetchedUnder : sent.groups()) {
            shards.add(fetchedUnder.shard());
            leases.settleable(fetchedUnder, settledAt).ifPresent(lease -> settleable.put(fetchedUnder, lease));
        }
        Duration every = leases.renewInterval();
        Future<Settled> settled = thread().submit(() -> {
            OutboxBatch.Round<OutboxLease> round = batch.settle(sent, Pacer.none(every));
            Map<OutboxLease, OutboxBatch.GroupOutcome> outcomes = new LinkedHashMap<>();
            Map<OutboxLease, OutboxCompletion> completions = new LinkedHashMap<>();
            List<OutboxLease> fencedByBroker = new ArrayList<>();
            for (Map.Entry<OutboxLease, OutboxBatch.GroupOutcome> e : round.outcomes().entrySet()) {
                OutboxLease lease = settleable.get(e.getKey());
                if (e.getValue().fenced()) {
                    fencedByBroker.add(e.getKey()); // another relay opened the shard's stream: it holds the shard
                } else if (lease != null) {
                    outcomes.put(lease, e.getValue());
                    completions.put(lease, e.getValue().completion());
                }
            }
            Set<OutboxLease> stale = completions.isEmpty() ? Set.of() : store.completeAll(completions, settledAt);
            return new Settled(round, outcomes, fencedByBroker, stale);
        });
        inFlight = new InFlight(settled, shards, elapsed);
    }

    /**
     * Waits for the settlement in flight (renewing the leases meanwhile) and does what follows it.
     *
     * @return rows the settled round published; 0 when none was in flight
     * @throws io.eventcore.EventcoreException if the store failed: the round's rows stay pending
     */
    int finish() {
        InFlight settling = inFlight;
        if (settling == null) {
            return 0;
        }
        inFlight = null;
        Settled done = await(settling.settled());
        done.fencedByBroker().forEach(this::fenced);
        List<OutboxBatch.DeadRow> dead = new ArrayList<>();
        for (Map.Entry<OutboxLease, OutboxBatch.GroupOutcome> e : done.outcomes().entrySet()) {
            if (done.stale().contains(e.getKey())) {
                // Fenced off: its dead rows were not moved, so they are not handed to the sink either.
                fenced(e.getKey());
            } else {
                dead.addAll(e.getValue().dead());
                if (streams != null) {
                    streams.settled(e.getKey(), e.getValue().completion().published());
                }
            }
        }
        stats.roundSettled(done.round(), dead.size(), settling.elapsed());
        dead.forEach(handOff::handOver);
        return done.round().published();
    }

    private void fenced(OutboxLease lease) {
        stats.fenced();
        leases.fenced(lease);
        if (streams != null) {
            streams.close(lease.shard());
        }
    }

    /** {@link #finish} when a pass fails anyway: the first failure is the one reported. */
    void finishQuietly() {
        try {
            finish();
        } catch (RuntimeException | Error e) {
            log.debug("the settlement in flight failed too; its rows stay pending", e);
        }
    }

    /** Finishes the settlement in flight and stops the settle thread (a later pass starts a new one). */
    @Override
    public void close() {
        finishQuietly();
        if (thread != null) {
            thread.shutdown();
            thread = null;
        }
    }

    private Settled await(Future<Settled> stale) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return stale.get(leases.renewInterval().toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    leases.keepAlive(clock.now());
                } catch (InterruptedException e) {
                    interrupted = true; // a transaction under way: let it end, the caller sees the interrupt
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The settle thread: started on first use, ended after a minute without work. */
    private ThreadPoolExecutor thread() {
        if (thread == null) {
            thread = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "eventcore-relay-settle");
                t.setDaemon(true);
                return t;
            });
            thread.allowCoreThreadTimeOut(true);
        }
        return thread;
    }
}
