package io.eventcore.outbox.jdbc;

import io.eventcore.outbox.HintChannel;
import io.eventcore.outbox.OutboxBacklog;
import io.eventcore.outbox.OutboxCompletion;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.outbox.OutboxStore;
import io.eventcore.outbox.UnkeyedClaims;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@link OutboxStore} over JDBC, relay side only (appends go through {@link JdbcOutbox}): one
 * collaborator per part of the SPI ({@link JdbcRows}, {@link JdbcLeases}, {@link JdbcAdmin},
 * {@link JdbcSignals}), sharing the connections of one {@link JdbcRunner}. Thread-safe.
 */
final class JdbcOutboxStore implements OutboxStore {
    private final JdbcRunner db;
    private final JdbcRows rows;
    private final JdbcLeases leases;
    private final JdbcAdmin admin;
    private final JdbcSignals signals;
    private final String name;

    /**
     * @param notifyChannel the PostgreSQL channel for hints between relays, or {@code null} for none
     */
    JdbcOutboxStore(DataSource dataSource, Dialect dialect, Sql sql, Shards shards, boolean keepPublished,
            String notifyChannel, String table) {
        this.name = table;
        this.db = new JdbcRunner(dataSource);
        IdStatements ids = new IdStatements(dialect);
        JdbcSettlement settlement = new JdbcSettlement(sql, ids, keepPublished);
        Optional<UnkeyedClaims> unkeyed = dialect.skipLocked()
                ? Optional.of(new JdbcUnkeyedClaims(db, sql, dialect, settlement)) : Optional.empty();
        this.rows = new JdbcRows(db, sql, shards.count(), settlement, unkeyed);
        this.leases = new JdbcLeases(db, sql, shards.count());
        this.admin = new JdbcAdmin(db, sql, ids, shards, keepPublished);
        this.signals = new JdbcSignals(notifyChannel == null ? Optional.empty()
                : Optional.of(new PgHintChannel(db, dataSource, notifyChannel)));
    }

    /** Wakes local relays: called by {@link JdbcOutbox} after an append or commit. */
    void appended() {
        signals.appended();
    }

    /** For the contract suite: lease expiry follows the {@code now} passed in (see {@link JdbcLeases}). */
    void followCallerClock() {
        leases.followCallerClock();
    }

    /** Nothing is held between operations; kept so the store has one lifecycle. */
    void close() {
        db.close();
    }

    @Override
    public int shardCount() {
        return rows.shardCount();
    }

    /** @return the outbox table's name, as configured (its transactional stream ids are {@code <table>-<shard>}) */
    @Override
    public String name() {
        return name;
    }

    @Override
    public List<OutboxRecord> fetch(OutboxLease lease, Instant now, int limit) {
        return rows.fetch(lease, now, limit);
    }

    @Override
    public boolean complete(OutboxLease lease, OutboxCompletion completion, Instant now) {
        return rows.complete(lease, completion, now);
    }

    @Override
    public Optional<UnkeyedClaims> unkeyedClaims() {
        return rows.unkeyedClaims();
    }

    @Override
    public int heartbeat(String relayId, Instant now, Duration ttl) {
        return leases.heartbeat(relayId, now, ttl);
    }

    @Override
    public void leave(String relayId) {
        leases.leave(relayId);
    }

    @Override
    public Optional<OutboxLease> acquire(int shard, String relayId, Instant now, Duration ttl) {
        return leases.acquire(shard, relayId, now, ttl);
    }

    @Override
    public Optional<OutboxLease> renew(OutboxLease lease, Instant now, Duration ttl) {
        return leases.renew(lease, now, ttl);
    }

    @Override
    public void release(OutboxLease lease) {
        leases.release(lease);
    }

    @Override
    public List<OutboxRecord> deadRecords(int limit) {
        return admin.deadRecords(limit);
    }

    @Override
    public int replayDead(Collection<Long> ids, Instant now) {
        return admin.replayDead(ids, now);
    }

    @Override
    public int purgeDead(Instant cutoff, int limit) {
        return admin.purgeDead(cutoff, limit);
    }

    @Override
    public int purgePublished(Instant cutoff, int limit) {
        return admin.purgePublished(cutoff, limit);
    }

    @Override
    public OutboxBacklog backlog() {
        return admin.backlog();
    }

    @Override
    public void onAppend(Runnable listener) {
        signals.onAppend(listener);
    }

    @Override
    public void removeAppendListener(Runnable listener) {
        signals.removeAppendListener(listener);
    }

    @Override
    public Optional<HintChannel> hints() {
        return signals.hints();
    }
}
