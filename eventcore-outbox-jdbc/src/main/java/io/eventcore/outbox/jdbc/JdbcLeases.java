package io.eventcore.outbox.jdbc;

import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxLeases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@link OutboxLeases} over the {@code _relay} table (heartbeats) and the {@code _lease} table (one row per
 * shard: owner, fence, expiry). The lease rows are created on first use, and again if someone emptied the
 * table. Thread-safe.
 *
 * <p>One clock: expiries are written and compared in the SQL by the database's clock ({@link Dialect#nowMillis}),
 * never by the relay's {@code now}, so a relay whose host clock is off can neither take a live lease nor keep
 * one past its time to live. A returned lease's {@link OutboxLease#until() until} is {@code now + ttl} in the
 * caller's clock: the caller took {@code now} before the statement ran, so the lease outlasts it.
 */
final class JdbcLeases implements OutboxLeases {
    private final JdbcRunner db;
    private final Sql sql;
    private final int shards;
    private volatile boolean leaseRowsReady;
    private volatile boolean followCallerClock;

    /** The outcome of one acquire statement: the lease, or none (held elsewhere, or its row is gone). */
    private record Attempt(OutboxLease lease, boolean rowMissing) {
    }

    JdbcLeases(JdbcRunner db, Sql sql, int shards) {
        this.db = db;
        this.sql = sql;
        this.shards = shards;
    }

    /**
     * For the contract suite, which moves time by the {@code now} it passes: shifts the database's clock by
     * the caller's {@code now} minus this host's time, so expiry (still computed in the SQL) follows the
     * caller's clock.
     */
    void followCallerClock() {
        followCallerClock = true;
    }

    /** @return milliseconds added to the database's clock: 0, but see {@link #followCallerClock} */
    private long shift(Instant now) {
        return followCallerClock ? now.toEpochMilli() - System.currentTimeMillis() : 0;
    }

    @Override
    public int heartbeat(String relayId, Instant now, Duration ttl) {
        long shift = shift(now);
        long until = shift + ttl.toMillis();
        return db.run("heartbeat", false, c -> {
            try (PreparedStatement touch = c.prepareStatement(sql.touchRelay)) {
                touch.setLong(1, until);
                touch.setString(2, relayId);
                if (touch.executeUpdate() == 0) {
                    try (PreparedStatement insert = c.prepareStatement(sql.insertRelay)) {
                        insert.setString(1, relayId);
                        insert.setLong(2, until);
                        insert.executeUpdate();
                    }
                }
            }
            try (PreparedStatement expire = c.prepareStatement(sql.expireRelays)) {
                expire.setLong(1, shift);
                expire.executeUpdate();
            }
            return liveRelays(c, shift);
        });
    }

    private int liveRelays(Connection c, long shift) throws SQLException {
        try (PreparedStatement count = c.prepareStatement(sql.countRelays)) {
            count.setLong(1, shift);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Override
    public void leave(String relayId) {
        db.run("leave", true, c -> {
            try (PreparedStatement release = c.prepareStatement(sql.releaseAllOf);
                    PreparedStatement leave = c.prepareStatement(sql.leaveRelay)) {
                release.setString(1, relayId);
                release.executeUpdate();
                leave.setString(1, relayId);
                leave.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<OutboxLease> acquire(int shard, String relayId, Instant now, Duration ttl) {
        ensureLeaseRows();
        Attempt attempt = tryAcquire(shard, relayId, now, ttl);
        if (attempt.rowMissing()) {
            // Someone emptied the lease table (a migration, a test): put the rows back and try again.
            leaseRowsReady = false;
            ensureLeaseRows();
            attempt = tryAcquire(shard, relayId, now, ttl);
        }
        return Optional.ofNullable(attempt.lease());
    }

    private Attempt tryAcquire(int shard, String relayId, Instant now, Duration ttl) {
        long shift = shift(now);
        Instant until = untilFor(now, ttl);
        return db.run("acquire lease", true, c -> {
            boolean taken;
            try (PreparedStatement acquire = c.prepareStatement(sql.acquire)) {
                acquire.setString(1, relayId);
                acquire.setString(2, relayId);
                acquire.setLong(3, shift + ttl.toMillis());
                acquire.setInt(4, shard);
                acquire.setString(5, relayId);
                acquire.setLong(6, shift);
                taken = acquire.executeUpdate() == 1;
            }
            try (PreparedStatement read = c.prepareStatement(sql.readLease)) {
                read.setInt(1, shard);
                try (ResultSet rs = read.executeQuery()) {
                    if (!rs.next()) {
                        return new Attempt(null, true);
                    }
                    return new Attempt(taken ? new OutboxLease(shard, rs.getString(1), rs.getLong(2), until) : null,
                            false);
                }
            }
        });
    }

    private void ensureLeaseRows() {
        if (leaseRowsReady) {
            return;
        }
        db.run("create lease rows", false, c -> {
            try (PreparedStatement insert = c.prepareStatement(sql.leaseRow)) {
                for (int s = 0; s < shards; s++) {
                    insert.setInt(1, s);
                    insert.setInt(2, s);
                    try {
                        insert.executeUpdate();
                    } catch (SQLException e) {
                        if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                            throw e;
                        }
                        // another relay inserted it concurrently
                    }
                }
            }
            return null;
        });
        leaseRowsReady = true;
    }

    @Override
    public Optional<OutboxLease> renew(OutboxLease lease, Instant now, Duration ttl) {
        Instant until = untilFor(now, ttl);
        long shift = shift(now);
        return db.run("renew lease", false, c -> {
            try (PreparedStatement renew = c.prepareStatement(sql.renew)) {
                renew.setLong(1, shift + ttl.toMillis());
                renew.setInt(2, lease.shard());
                renew.setString(3, lease.owner());
                renew.setLong(4, lease.fence());
                return renew.executeUpdate() == 1
                        ? Optional.of(new OutboxLease(lease.shard(), lease.owner(), lease.fence(), until))
                        : Optional.<OutboxLease>empty();
            }
        });
    }

    /** @return the expiry reported to the caller, in its clock, in whole milliseconds */
    private static Instant untilFor(Instant now, Duration ttl) {
        return Instant.ofEpochMilli(now.plus(ttl).toEpochMilli());
    }

    @Override
    public void release(OutboxLease lease) {
        db.run("release lease", false, c -> {
            try (PreparedStatement release = c.prepareStatement(sql.release)) {
                release.setInt(1, lease.shard());
                release.setString(2, lease.owner());
                release.setLong(3, lease.fence());
                return release.executeUpdate();
            }
        });
    }
}
