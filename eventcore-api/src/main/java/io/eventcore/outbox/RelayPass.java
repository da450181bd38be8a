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
import java.util.Set;
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
    private final SettlementPipeline settling;
    private final Housekeeping housekeeping;
    private final int batchSize;
    private final Clock clock;
    private final long maxPassBytes;
    private final ShardStreams streams;
    private final ReentrantLock lock = new ReentrantLock();
    private int passes;
    private long elapsedNanos;

    /** What a pass did: rows read, rows published, and whether every failure was an outage. */
    record Result(int rows, int published, boolean outage) {
        static final Result NONE = new Result(0, 0, false);

        Result plusPublished(int more) {
            return more == 0 ? this : new Result(rows, published + more, outage);
        }

        Result plus(Result other) {
            return new Result(rows + other.rows, published + other.published, outage || other.outage);
        }
    }

    RelayPass(OutboxRows store, ShardLeases leases, OutboxBatch batch, RelayStats stats, DeadRowHandOff handOff,
            Housekeeping housekeeping, int batchSize, Clock clock, ShardStreams streams) {
        this.streams = streams;
        this.store = store;
        this.unkeyed = store.unkeyedClaims();
        this.leases = leases;
        this.batch = batch;
        this.stats = stats;
        this.handOff = handOff;
        this.settling = new SettlementPipeline(store, leases, stats, handOff, clock, streams, batch);
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

    /**
     * One pass; call it under {@link #exclusively}. Its settlement may still be in flight when it returns (the
     * next pass reads other shards meanwhile), except after a pass that read nothing or met an outage.
     */
    Result run() {
        try {
            Instant now = clock.now();
            int settled = 0;
            if (settling.busy() && leases.maintenanceDueIn(now).isZero()) {
                settled = settling.finish(); // rebalancing may give shards away: none of them still settling
            }
            leases.maintain(now);
            if (streams != null) {
                streams.retain(leases.held());
            }
            Result result = publishLeased(now).plusPublished(settled);
            if (unkeyed.isPresent()) {
                result = result.plus(publishUnkeyed(unkeyed.get(), now));
            }
            if (result.rows() == 0 || result.outage() || housekeeping.due(now)) {
                // Idle, failing, or about to report the backlog: nothing may be half settled.
                result = result.plusPublished(settling.finish());
            }
            housekeeping.runIfDue(now);
            if (!result.outage()) {
                stats.passSucceeded();
            }
            return result;
        } catch (RuntimeException | Error e) {
            settling.finishQuietly();
            throw e;
        }
    }

    /** Finishes the settlement in flight and stops the settle thread; call it under {@link #exclusively}. */
    void quiesce() {
        settling.close();
        if (streams != null) {
            streams.close();
        }
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

    /**
     * Reads, sends and awaits up to half of the held shards (those not settling), then starts their settlement
     * once the previous one is finished: one half's settlement overlaps the other half's round.
     */
    private Result publishLeased(Instant now) {
        ShardReads reads = new ShardReads(now);
        int settled = 0;
        if (!reads.hasNext() && settling.busy()) {
            settled = settling.finish(); // the shards with rows may all be settling
            reads = new ShardReads(now);
        }
        if (!reads.hasNext()) {
            return new Result(0, settled, false);
        }
        long started = System.nanoTime();
        SentRound<OutboxLease> round = batch.send(reads,
                new Pacer(() -> leases.keepAlive(clock.now()), leases.renewInterval()));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        settled += settling.finish();
        settling.start(round, elapsed); // its transactions commit while the next pass reads and sends
        return new Result(reads.rows, settled, round.outage());
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
        /** At most half the held shards per pass, so that the other half can be read while this one settles. */
        private final int maxGroups;
        private int groups;
        private int index;
        private long bytes;
        private int rows;
        private Map.Entry<OutboxLease, List<OutboxRecord>> next;

        ShardReads(Instant now) {
            this.now = now;
            List<OutboxLease> held = leases.fresh(now);
            Set<Integer> busy = settling.shards();
            this.fresh = busy.isEmpty() ? held : held.stream().filter(l -> !busy.contains(l.shard())).toList();
            this.first = fresh.isEmpty() ? 0 : Math.floorMod(passes++, fresh.size());
            this.maxGroups = Math.max(1, (held.size() + 1) / 2);
        }

        @Override
        public boolean hasNext() {
            while (next == null && index < fresh.size() && bytes < maxPassBytes && groups < maxGroups) {
                OutboxLease lease = fresh.get((first + index++) % fresh.size());
                List<OutboxRecord> fetched = store.fetch(lease, now, batchSize);
                int keep = 0;
                while (keep < fetched.size() && (bytes < maxPassBytes || keep == 0 && rows == 0)) {
                    bytes += fetched.get(keep++).payload().length;
                }
                if (keep > 0) {
                    // A prefix in id order: the rows left out stay pending, behind nothing of their own.
                    rows += keep;
                    groups++;
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
