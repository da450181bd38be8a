package io.eventcore.outbox;

import io.eventcore.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private final OutboxRows store;
    private final Optional<UnkeyedClaims> unkeyed;
    private final ShardLeases leases;
    private final OutboxBatch batch;
    private final RelayStats stats;
    private final DeadRowHandOff handOff;
    private final Housekeeping housekeeping;
    private final int batchSize;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();

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

    private Result publishLeased(Instant now) {
        Map<OutboxLease, List<OutboxRecord>> groups = new LinkedHashMap<>();
        int rows = 0;
        for (OutboxLease lease : leases.fresh(now)) {
            List<OutboxRecord> fetched = store.fetch(lease, now, batchSize);
            if (!fetched.isEmpty()) {
                groups.put(lease, fetched);
                rows += fetched.size();
            }
        }
        if (groups.isEmpty()) {
            return Result.NONE;
        }
        long started = System.nanoTime();
        OutboxBatch.Round<OutboxLease> round = batch.publish(groups);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        Instant settledAt = clock.now();
        List<OutboxBatch.DeadRow> dead = new ArrayList<>();
        for (Map.Entry<OutboxLease, OutboxBatch.GroupOutcome> e : round.outcomes().entrySet()) {
            if (store.complete(e.getKey(), e.getValue().completion(), settledAt)) {
                dead.addAll(e.getValue().dead());
            } else {
                // Fenced off: its dead rows were not moved, so they are not handed to the sink either.
                stats.fenced();
                leases.fenced(e.getKey());
            }
        }
        return settled(round, dead, rows, elapsed);
    }

    private Result publishUnkeyed(UnkeyedClaims claims, Instant now) {
        Result[] result = {Result.NONE};
        claims.relay(now, batchSize, rows -> {
            long started = System.nanoTime();
            OutboxBatch.Round<Object> round = batch.publish(Map.of(UNKEYED, rows));
            OutboxBatch.GroupOutcome outcome = round.outcomes().get(UNKEYED);
            result[0] = settled(round, outcome.dead(), rows.size(), Duration.ofNanos(System.nanoTime() - started));
            return outcome.completion();
        });
        return result[0];
    }

    private Result settled(OutboxBatch.Round<?> round, List<OutboxBatch.DeadRow> dead, int rows, Duration elapsed) {
        stats.roundSettled(round, dead.size(), elapsed);
        dead.forEach(handOff::handOver);
        return new Result(rows, round.published(), round.allTransientFailures());
    }
}
