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
 * Used only by the relay thread (or a {@code publishPending} caller holding the pass lock).
 */
final class ShardLeases {
    private static final Logger log = LoggerFactory.getLogger(ShardLeases.class);

    private final OutboxStore store;
    private final String relayId;
    private final Duration ttl;
    private final OutboxMetrics metrics;
    private final TreeMap<Integer, OutboxLease> owned = new TreeMap<>();
    private Instant nextHeartbeat = Instant.MIN;

    ShardLeases(OutboxStore store, String relayId, Duration ttl, OutboxMetrics metrics) {
        this.store = store;
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
        int shards = store.shardCount();
        int fairShare = (shards + Math.max(1, live) - 1) / Math.max(1, live);
        while (owned.size() > fairShare) {
            OutboxLease surplus = owned.lastEntry().getValue();
            owned.remove(surplus.shard());
            store.release(surplus);
        }
        int start = ThreadLocalRandom.current().nextInt(shards);
        for (int i = 0; i < shards && owned.size() < fairShare; i++) {
            int shard = (start + i) % shards;
            if (!owned.containsKey(shard)) {
                store.acquire(shard, relayId, now, ttl).ifPresent(lease -> {
                    owned.put(shard, lease);
                    safely(() -> metrics.leaseAcquired(shard));
                });
            }
        }
        nextHeartbeat = now.plus(ttl.dividedBy(3));
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

    /** Forgets a lease whose settlement was fenced off. */
    void fenced(OutboxLease lease) {
        owned.remove(lease.shard());
        safely(() -> metrics.fenceRejected(lease.shard()));
        log.warn("relay {} lost shard {}: another relay took it over (fence {})", relayId, lease.shard(),
                lease.fence());
    }

    List<Integer> shards() {
        return List.copyOf(owned.keySet());
    }

    int size() {
        return owned.size();
    }

    /** Forgets every lease locally (the caller releases them in the store, e.g. by leaving). */
    void forgetAll() {
        owned.clear();
        nextHeartbeat = Instant.MIN;
    }

    private Optional<OutboxLease> renewOrDrop(OutboxLease lease, Instant now) {
        Optional<OutboxLease> renewed = store.renew(lease, now, ttl);
        if (renewed.isPresent()) {
            owned.put(lease.shard(), renewed.get());
        } else {
            owned.remove(lease.shard());
            safely(() -> metrics.leaseLost(lease.shard()));
            log.info("relay {} lost the lease of shard {}", relayId, lease.shard());
        }
        return renewed;
    }

    static void safely(Runnable metric) {
        try {
            metric.run();
        } catch (RuntimeException e) {
            log.warn("outbox metrics failed", e);
        }
    }
}
