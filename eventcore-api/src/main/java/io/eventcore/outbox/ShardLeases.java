package io.eventcore.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shard leases one relay holds. Keeps the relay at its fair share ({@code ceil(shards / live
 * relays)}): takes free or expired shards up to it and gives back the surplus when relays join.
 * Changed only by the relay thread (or a {@code publishPending} caller holding the pass lock);
 * {@link #shards()} and {@link #size()} may be read from any thread.
 *
 * <p>Lease safety: every lease is renewed once a third of its time to live has passed, by
 * {@link #maintain} between passes and by {@link #keepAlive} while a round awaits its acknowledgements,
 * and a round is settled only under a lease that {@link #settleable is still current}: one whose
 * remaining time covers the settlement, or that a renewal (which checks the fence) proves nobody took
 * over. A lease may still lapse when the store is unreachable for longer than a third of the time to
 * live; then the settlement is skipped or fenced, and the rows are sent again (a duplicate, not a loss).
 */
final class ShardLeases {
    private static final Logger log = LoggerFactory.getLogger(ShardLeases.class);

    private final OutboxLeases store;
    private final int shardCount;
    private final String relayId;
    private final Duration ttl;
    private final OutboxMetrics metrics;
    private final TreeMap<Integer, OutboxLease> owned = new TreeMap<>();
    private volatile List<Integer> snapshot = List.of();
    private Instant nextHeartbeat = Instant.MIN;

    ShardLeases(OutboxLeases store, int shardCount, String relayId, Duration ttl, OutboxMetrics metrics) {
        this.store = store;
        this.shardCount = shardCount;
        this.relayId = relayId;
        this.ttl = ttl;
        this.metrics = metrics;
    }

    /** Heartbeat, renew and rebalance, at most once per third of the lease time. */
    void maintain(Instant now) {
        if (now.isBefore(nextHeartbeat)) {
            return;
        }
        int live = store.heartbeat(relayId, now, ttl);
        for (OutboxLease lease : List.copyOf(owned.values())) {
            renewOrDrop(lease, now);
        }
        int fairShare = (shardCount + Math.max(1, live) - 1) / Math.max(1, live);
        while (owned.size() > fairShare) {
            OutboxLease surplus = owned.lastEntry().getValue();
            forget(surplus.shard());
            store.release(surplus);
        }
        int start = ThreadLocalRandom.current().nextInt(shardCount);
        for (int i = 0; i < shardCount && owned.size() < fairShare; i++) {
            int shard = (start + i) % shardCount;
            if (!owned.containsKey(shard)) {
                store.acquire(shard, relayId, now, ttl).ifPresent(lease -> {
                    hold(lease);
                    metrics.leaseAcquired(shard);
                });
            }
        }
        nextHeartbeat = now.plus(renewInterval());
    }

    /** @return how often leases are renewed: a third of their time to live */
    Duration renewInterval() {
        return ttl.dividedBy(3);
    }

    /** @return how long until {@link #maintain} has work again (zero if now) */
    Duration maintenanceDueIn(Instant now) {
        Duration left = Duration.between(now, nextHeartbeat.equals(Instant.MIN) ? now : nextHeartbeat);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * While a round awaits acknowledgements: refreshes the heartbeat and renews every held lease whose
     * renewal is due. Never throws: a store that cannot be reached now is tried again at the next call,
     * and {@link #settleable} checks the lease before settling.
     */
    void keepAlive(Instant now) {
        if (now.isBefore(nextHeartbeat)) {
            return;
        }
        try {
            store.heartbeat(relayId, now, ttl);
            for (OutboxLease lease : List.copyOf(owned.values())) {
                renewOrDrop(lease, now);
            }
            nextHeartbeat = now.plus(renewInterval());
        } catch (RuntimeException e) {
            log.debug("relay {} could not renew its leases while awaiting acknowledgements", relayId, e);
        }
    }

    /**
     * The lease to settle rows fetched under {@code fetchedUnder}: the current one of its shard, if it has the
     * same fence and at least a third of its time to live left, else renewed now; empty if it was lost.
     *
     * @throws io.eventcore.EventcoreException if the store is unreachable
     */
    Optional<OutboxLease> settleable(OutboxLease fetchedUnder, Instant now) {
        OutboxLease current = owned.get(fetchedUnder.shard());
        if (current == null || current.fence() != fetchedUnder.fence()) {
            return Optional.empty();
        }
        if (Duration.between(now, current.until()).compareTo(renewInterval()) >= 0) {
            return Optional.of(current);
        }
        return renewOrDrop(current, now);
    }

    /** @return the held leases, each with at least half its time to live left (renewed if needed) */
    List<OutboxLease> fresh(Instant now) {
        List<OutboxLease> out = new ArrayList<>(owned.size());
        for (OutboxLease lease : List.copyOf(owned.values())) {
            if (Duration.between(now, lease.until()).compareTo(ttl.dividedBy(2)) < 0) {
                renewOrDrop(lease, now).ifPresent(out::add);
            } else {
                out.add(lease);
            }
        }
        return out;
    }

    /** @return the leases held now, without renewing any */
    List<OutboxLease> held() {
        return List.copyOf(owned.values());
    }

    /** Forgets a lease whose settlement was fenced off. */
    void fenced(OutboxLease lease) {
        forget(lease.shard());
        metrics.fenceRejected(lease.shard());
        log.warn("relay {} lost shard {}: another relay took it over (fence {})", relayId, lease.shard(),
                lease.fence());
    }

    /** @return the shards held, ascending; safe from any thread */
    List<Integer> shards() {
        return snapshot;
    }

    /** @return how many shards are held; safe from any thread */
    int size() {
        return snapshot.size();
    }

    /** @return whether this relay holds every shard */
    boolean holdsAll() {
        return size() == shardCount;
    }

    /** Forgets every lease locally (the caller releases them in the store, e.g. by leaving). */
    void forgetAll() {
        owned.clear();
        snapshot = List.of();
        nextHeartbeat = Instant.MIN;
    }

    private Optional<OutboxLease> renewOrDrop(OutboxLease lease, Instant now) {
        Optional<OutboxLease> renewed = store.renew(lease, now, ttl);
        if (renewed.isPresent()) {
            hold(renewed.get());
        } else {
            forget(lease.shard());
            metrics.leaseLost(lease.shard());
            log.info("relay {} lost the lease of shard {}", relayId, lease.shard());
        }
        return renewed;
    }

    private void hold(OutboxLease lease) {
        owned.put(lease.shard(), lease);
        snapshot = List.copyOf(owned.keySet());
    }

    private void forget(int shard) {
        owned.remove(shard);
        snapshot = List.copyOf(owned.keySet());
    }
}
