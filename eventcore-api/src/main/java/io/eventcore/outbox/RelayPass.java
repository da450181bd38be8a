package io.eventcore.outbox;

import io.eventcore.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One pass of the relay: maintain the leases, publish one batch from every held shard (and the unkeyed
 * claim, where the store has it), settle under the fences, hand dead rows over, and do the housekeeping.
 * Passes never overlap: they run under {@link #exclusively}.
 */
final class RelayPass {
    private static final Object UNKEYED = new Object();
    /**
     * Payload bytes one pass reads at most, beyond its first row and one shard's batch: 64 MiB. The rows of a
     * pass are held until the pass settles, so without it a pass could hold shards &times; batch size rows.
     */
    static final long MAX_PASS_BYTES = 64L << 20;

    private final OutboxRows store;
    private final Optional<UnkeyedClaims> unkeyed;
    private final ShardLeases leases;
    private final OutboxBatch batch;
    private final RelayStats stats;
    private final DeadRowHandOff handOff;
    private final Housekeeping housekeeping;
    private final int batchSize;
    private final Clock clock;
    private final long maxPassBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private int passes;
    private long elapsedNanos;

    /** What a pass did: rows read, rows published, and whether every failure was an outage. */
    record Result(int rows, int published, boolean outage) {
        static final Result NONE = new Result(0, 0, false);

        Result plus(Result other) {
            return new Result(rows + other.rows, published + other.published, outage || other.outage);
        }
    }

    RelayPass(OutboxRows store, ShardLeases leases, OutboxBatch batch, RelayStats stats, DeadRowHandOff handOff,
            Housekeeping housekeeping, int batchSize, Clock clock) {
        this.store = store;
        this.unkeyed = store.unkeyedClaims();
        this.leases = leases;
        this.batch = batch;
        this.stats = stats;
        this.handOff = handOff;
        this.housekeeping = housekeeping;
        this.batchSize = batchSize;
        this.clock = clock;
        this.maxPassBytes = MAX_PASS_BYTES;
    }

    /** Runs {@code work} (passes, leaving) while no other pass runs. */
    <T> T exclusively(Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** One pass; call it under {@link #exclusively}. */
    Result run() {
        Instant now = clock.now();
        leases.maintain(now);
        Result result = publishLeased(now);
        if (unkeyed.isPresent()) {
            result = result.plus(publishUnkeyed(unkeyed.get(), now));
        }
        housekeeping.runIfDue(now);
        if (!result.outage()) {
            stats.passSucceeded();
        }
        return result;
    }

    /**
     * Runs passes until one reads no row or meets an outage; call it under {@link #exclusively}.
     *
     * @return rows published
     */
    int drain() {
        int total = 0;
        while (true) {
            Result result = run();
            total += result.published();
            if (result.rows() == 0 || result.outage()) {
                return total;
            }
        }
    }

    /** Renews the leases and the heartbeat, without reading rows; call it under {@link #exclusively}. */
    void maintainLeases() {
        leases.maintain(clock.now());
    }

    /** @return how long the relay may sleep before its leases need renewing */
    Duration maintenanceDueIn() {
        return leases.maintenanceDueIn(clock.now());
    }

    private Result publishLeased(Instant now) {
        ShardReads reads = new ShardReads(now);
        if (!reads.hasNext()) {
            return Result.NONE;
        }
        long started = System.nanoTime();
        OutboxBatch.Round<OutboxLease> round = batch.publish(reads, () -> leases.keepAlive(clock.now()),
                leases.renewInterval());
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        List<OutboxBatch.DeadRow> dead = new ArrayList<>();
        for (Map.Entry<OutboxLease, OutboxBatch.GroupOutcome> e : round.outcomes().entrySet()) {
            Instant settledAt = clock.now();
            Optional<OutboxLease> lease = leases.settleable(e.getKey(), settledAt);
            if (lease.isEmpty()) {
                continue; // lost while awaiting: its rows stay pending for the new holder
            }
            if (store.complete(lease.get(), e.getValue().completion(), settledAt)) {
                dead.addAll(e.getValue().dead());
            } else {
                // Fenced off: its dead rows were not moved, so they are not handed to the sink either.
                stats.fenced();
                leases.fenced(lease.get());
            }
        }
        return settled(round, dead, reads.rows, elapsed);
    }

    /**
     * Reads a batch from every held shard, one shard at a time as the round asks for it (so the broker sends
     * one shard's rows while the next is read), starting at a shard that rotates from pass to pass, until the
     * rows read hold {@link #MAX_PASS_BYTES} of payload: the rest wait for the next pass.
     */
    private final class ShardReads implements Iterator<Map.Entry<OutboxLease, List<OutboxRecord>>> {
        private final Instant now;
        private final List<OutboxLease> fresh;
        private final int first;
        private int index;
        private long bytes;
        private int rows;
        private Map.Entry<OutboxLease, List<OutboxRecord>> next;

        ShardReads(Instant now) {
            this.now = now;
            this.fresh = leases.fresh(now);
            this.first = fresh.isEmpty() ? 0 : Math.floorMod(passes++, fresh.size());
        }

        @Override
        public boolean hasNext() {
            while (next == null && index < fresh.size() && bytes < maxPassBytes) {
                OutboxLease lease = fresh.get((first + index++) % fresh.size());
                List<OutboxRecord> fetched = store.fetch(lease, now, batchSize);
                int keep = 0;
                while (keep < fetched.size() && (bytes < maxPassBytes || keep == 0 && rows == 0)) {
                    bytes += fetched.get(keep++).payload().length;
                }
                if (keep > 0) {
                    // A prefix in id order: the rows left out stay pending, behind nothing of their own.
                    rows += keep;
                    next = Map.entry(lease, keep == fetched.size() ? fetched : List.copyOf(fetched.subList(0, keep)));
                }
            }
            return next != null;
        }

        @Override
        public Map.Entry<OutboxLease, List<OutboxRecord>> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Map.Entry<OutboxLease, List<OutboxRecord>> group = next;
            next = null;
            return group;
        }
    }

    private Result publishUnkeyed(UnkeyedClaims claims, Instant now) {
        List<OutboxBatch.Round<Object>> rounds = new ArrayList<>(1);
        int claimed = claims.relay(now, batchSize, rows -> {
            long started = System.nanoTime();
            OutboxBatch.Round<Object> round = batch.publish(Map.of(UNKEYED, rows));
            rounds.add(round);
            elapsedNanos = System.nanoTime() - started;
            return round.outcomes().get(UNKEYED).completion();
        });
        if (rounds.isEmpty()) {
            return Result.NONE;
        }
        // The claim has committed: only now do its dead rows exist in the dead table, so only now go to the sink.
        OutboxBatch.Round<Object> round = rounds.get(0);
        return settled(round, round.outcomes().get(UNKEYED).dead(), claimed, Duration.ofNanos(elapsedNanos));
    }

    private Result settled(OutboxBatch.Round<?> round, List<OutboxBatch.DeadRow> dead, int rows, Duration elapsed) {
        stats.roundSettled(round, dead.size(), elapsed);
        dead.forEach(handOff::handOver);
        return new Result(rows, round.published(), round.allTransientFailures());
    }
}
