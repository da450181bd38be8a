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
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
     * MySQL: shard to the lease fence under which the shard was found to hold no row waiting for a retry.
     * Only the fence's holder makes rows wait, through {@link #complete}, which forgets the shard first; so
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
                    free.setInt(1, lease.shard());
                    free.setLong(2, now.toEpochMilli());
                    free.setInt(3, limit);
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
        if (!completion.retries().isEmpty()) {
            freeUnderFence.remove(lease.shard()); // before any row waits, so no fetch trusts the old answer
        }
        return db.run("settle batch", true, c -> {
            // Holding the lease row lock while settling: a takeover (which updates that row) waits for
            // this transaction, and a settlement after a takeover finds the fence changed.
            try (PreparedStatement fence = c.prepareStatement(sql.lockFence)) {
                fence.setInt(1, lease.shard());
                fence.setString(2, lease.owner());
                fence.setLong(3, lease.fence());
                try (ResultSet rs = fence.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                }
            }
            settlement.settle(c, completion, now);
            return true;
        });
    }

    @Override
    public Optional<UnkeyedClaims> unkeyedClaims() {
        return unkeyed;
    }
}
