package io.eventcore.outbox.jdbc;

import io.eventcore.outbox.OutboxCompletion;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.outbox.OutboxRows;
import io.eventcore.outbox.UnkeyedClaims;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link OutboxRows} over the outbox table: fetches a shard's due rows in id order and settles them while
 * holding the lease row's lock, so a takeover waits for the settlement and a settlement after a takeover
 * finds the fence changed. Thread-safe.
 */
final class JdbcRows implements OutboxRows {
    private final JdbcRunner db;
    private final Sql sql;
    private final int shards;
    private final JdbcSettlement settlement;
    private final Optional<UnkeyedClaims> unkeyed;
    /**
     * Shard to the lease fence under which the shard was found to hold no row waiting for a retry (not on H2).
     * Only the fence's holder makes rows wait, through {@link #completeAll}, which forgets the shard first; so
     * while the fence is unchanged the probe's answer stays true and the fetch skips it.
     */
    private final Map<Integer, Long> freeUnderFence = new ConcurrentHashMap<>();

    /**
     * @param unkeyed the dialect's claims of unkeyed rows, or empty when they are spread over the shards
     */
    JdbcRows(JdbcRunner db, Sql sql, int shards, JdbcSettlement settlement, Optional<UnkeyedClaims> unkeyed) {
        this.db = db;
        this.sql = sql;
        this.shards = shards;
        this.settlement = settlement;
        this.unkeyed = unkeyed;
    }

    @Override
    public int shardCount() {
        return shards;
    }

    @Override
    public List<OutboxRecord> fetch(OutboxLease lease, Instant now, int limit) {
        return db.run("fetch", false, c -> {
            if (sql.heldInShard != null && isFree(c, lease, now)) {
                try (PreparedStatement free = c.prepareStatement(sql.fetchFree)) {
                    int p = 1;
                    free.setInt(p++, lease.shard());
                    if (sql.fetchShardRange) {
                        free.setInt(p++, lease.shard());
                    }
                    free.setLong(p++, now.toEpochMilli());
                    free.setInt(p, limit);
                    return RowMapping.rows(free);
                }
            }
            try (PreparedStatement fetch = c.prepareStatement(sql.fetch)) {
                int p = 1;
                fetch.setInt(p++, lease.shard());
                if (sql.fetchShardRange) {
                    fetch.setInt(p++, lease.shard());
                }
                fetch.setLong(p++, now.toEpochMilli());
                fetch.setLong(p++, now.toEpochMilli());
                fetch.setInt(p, limit);
                return RowMapping.rows(fetch);
            }
        });
    }

    private boolean isFree(Connection c, OutboxLease lease, Instant now) throws SQLException {
        Long fence = freeUnderFence.get(lease.shard());
        if (fence != null && fence == lease.fence()) {
            return true;
        }
        if (held(c, lease.shard(), now)) {
            return false;
        }
        freeUnderFence.put(lease.shard(), lease.fence());
        return true;
    }

    /**
     * Whether the shard holds a row waiting for a retry. Only this shard's lease holder makes a row wait (its
     * settlement is fenced), so the answer holds for the fetch that follows on the same connection.
     */
    private boolean held(Connection c, int shard, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql.heldInShard)) {
            s.setInt(1, shard);
            s.setLong(2, now.toEpochMilli());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public boolean complete(OutboxLease lease, OutboxCompletion completion, Instant now) {
        return completeAll(Map.of(lease, completion), now).isEmpty();
    }

    /**
     * One transaction for every lease: each lease row is locked (in shard order) and its fence checked, then
     * the batches of the current ones are applied together, so a pass costs one commit (one log flush) rather
     * than one per shard. Holding the lease row locks while settling: a takeover (which updates those rows)
     * waits for this transaction, and a settlement after a takeover finds the fence changed.
     */
    @Override
    public Set<OutboxLease> completeAll(Map<OutboxLease, OutboxCompletion> settlements, Instant now) {
        List<Map.Entry<OutboxLease, OutboxCompletion>> byShard = new ArrayList<>(settlements.entrySet());
        byShard.sort(Comparator.comparingInt(e -> e.getKey().shard()));
        for (Map.Entry<OutboxLease, OutboxCompletion> e : byShard) {
            if (!e.getValue().retries().isEmpty()) {
                freeUnderFence.remove(e.getKey().shard()); // before any row waits, so no fetch trusts the old answer
            }
        }
        return db.run("settle batch", true, c -> {
            Set<OutboxLease> stale = new HashSet<>();
            List<OutboxCompletion> current = new ArrayList<>(byShard.size());
            try (PreparedStatement fence = c.prepareStatement(sql.lockFence)) {
                for (Map.Entry<OutboxLease, OutboxCompletion> e : byShard) {
                    if (holdsFence(fence, e.getKey())) {
                        current.add(e.getValue());
                    } else {
                        stale.add(e.getKey());
                    }
                }
            }
            settlement.settle(c, current, now);
            return stale;
        });
    }

    private static boolean holdsFence(PreparedStatement fence, OutboxLease lease) throws SQLException {
        fence.setInt(1, lease.shard());
        fence.setString(2, lease.owner());
        fence.setLong(3, lease.fence());
        try (ResultSet rs = fence.executeQuery()) {
            return rs.next();
        }
    }

    @Override
    public Optional<UnkeyedClaims> unkeyedClaims() {
        return unkeyed;
    }
}
