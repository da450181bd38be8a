package io.eventcore.outbox.jdbc;

import io.eventcore.EventcoreException;
import io.eventcore.outbox.OutboxBacklog;
import io.eventcore.outbox.OutboxCompletion;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.outbox.OutboxStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link OutboxStore} over JDBC. Relay-side only; appends go through {@link JdbcOutbox}. */
final class JdbcOutboxStore implements OutboxStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcOutboxStore.class);
    private static final int IN_LIST_CHUNK = 500;

    private final Dialect dialect;
    private final Sql sql;
    private final int shards;
    private final boolean keepPublished;
    private final ConnectionPool pool;
    private final DataSource dataSource;
    private final String notifyChannel;
    final List<Runnable> appendListeners = new CopyOnWriteArrayList<>();
    private volatile boolean leaseRowsReady;

    JdbcOutboxStore(DataSource dataSource, Dialect dialect, Sql sql, int shards, boolean keepPublished,
            String notifyChannel) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.sql = sql;
        this.shards = shards;
        this.keepPublished = keepPublished;
        this.pool = new ConnectionPool(dataSource);
        this.notifyChannel = notifyChannel;
    }

    @FunctionalInterface
    interface Work<R> {
        R run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on a pooled connection, in one transaction when {@code transactional}. */
    <R> R run(String what, boolean transactional, Work<R> work) {
        Connection c;
        try {
            c = pool.borrow();
        } catch (SQLException e) {
            throw new EventcoreException("outbox store unreachable (" + what + "): " + e.getMessage(), e);
        }
        boolean broken = false;
        try {
            if (transactional) {
                c.setAutoCommit(false);
            }
            R result = work.run(c);
            if (transactional) {
                c.commit();
            }
            return result;
        } catch (SQLException | RuntimeException e) {
            broken = true;
            if (transactional) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is closed below
                }
            }
            if (e instanceof RuntimeException re && !(e instanceof EventcoreException)) {
                throw re;
            }
            throw e instanceof EventcoreException ee ? ee
                    : new EventcoreException("outbox store failed (" + what + "): " + e.getMessage(), e);
        } finally {
            if (!broken && transactional) {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException e) {
                    broken = true;
                }
            }
            pool.giveBack(c, broken);
        }
    }

    @Override
    public int shardCount() {
        return shards;
    }

    @Override
    public int heartbeat(String relayId, Instant now, Duration ttl) {
        long until = now.plus(ttl).toEpochMilli();
        return run("heartbeat", false, c -> {
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
                expire.setLong(1, now.toEpochMilli());
                expire.executeUpdate();
            }
            try (PreparedStatement count = c.prepareStatement(sql.countRelays)) {
                count.setLong(1, now.toEpochMilli());
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    @Override
    public void leave(String relayId) {
        run("leave", true, c -> {
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

    private void ensureLeaseRows() {
        if (leaseRowsReady) {
            return;
        }
        run("create lease rows", false, c -> {
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

    /** The outcome of one acquire statement: the lease, or none (held elsewhere, or its row is gone). */
    private record Attempt(OutboxLease lease, boolean rowMissing) {
    }

    private Attempt tryAcquire(int shard, String relayId, Instant now, Duration ttl) {
        long until = now.plus(ttl).toEpochMilli();
        return run("acquire lease", true, c -> {
            boolean taken;
            try (PreparedStatement acquire = c.prepareStatement(sql.acquire)) {
                acquire.setString(1, relayId);
                acquire.setString(2, relayId);
                acquire.setLong(3, until);
                acquire.setInt(4, shard);
                acquire.setString(5, relayId);
                acquire.setLong(6, now.toEpochMilli());
                taken = acquire.executeUpdate() == 1;
            }
            try (PreparedStatement read = c.prepareStatement(sql.readLease)) {
                read.setInt(1, shard);
                try (ResultSet rs = read.executeQuery()) {
                    if (!rs.next()) {
                        return new Attempt(null, true);
                    }
                    return new Attempt(taken ? new OutboxLease(shard, rs.getString(1), rs.getLong(2),
                            Instant.ofEpochMilli(rs.getLong(3))) : null, false);
                }
            }
        });
    }

    @Override
    public Optional<OutboxLease> renew(OutboxLease lease, Instant now, Duration ttl) {
        Instant until = Instant.ofEpochMilli(now.plus(ttl).toEpochMilli());
        return run("renew lease", false, c -> {
            try (PreparedStatement renew = c.prepareStatement(sql.renew)) {
                renew.setLong(1, until.toEpochMilli());
                renew.setInt(2, lease.shard());
                renew.setString(3, lease.owner());
                renew.setLong(4, lease.fence());
                return renew.executeUpdate() == 1
                        ? Optional.of(new OutboxLease(lease.shard(), lease.owner(), lease.fence(), until))
                        : Optional.<OutboxLease>empty();
            }
        });
    }

    @Override
    public void release(OutboxLease lease) {
        run("release lease", false, c -> {
            try (PreparedStatement release = c.prepareStatement(sql.release)) {
                release.setInt(1, lease.shard());
                release.setString(2, lease.owner());
                release.setLong(3, lease.fence());
                return release.executeUpdate();
            }
        });
    }

    @Override
    public List<OutboxRecord> fetch(OutboxLease lease, Instant now, int limit) {
        return run("fetch", false, c -> {
            try (PreparedStatement fetch = c.prepareStatement(sql.fetch)) {
                fetch.setInt(1, lease.shard());
                fetch.setLong(2, now.toEpochMilli());
                fetch.setInt(3, limit);
                return rows(fetch);
            }
        });
    }

    static List<OutboxRecord> rows(PreparedStatement query) throws SQLException {
        List<OutboxRecord> out = new ArrayList<>();
        try (ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                out.add(new OutboxRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), Headers.decode(rs.getString(7)), rs.getBytes(8),
                        Instant.ofEpochMilli(rs.getLong(9)), rs.getInt(10), rs.getString(11)));
            }
        }
        return out;
    }

    @Override
    public boolean complete(OutboxLease lease, OutboxCompletion completion, Instant now) {
        return run("settle batch", true, c -> {
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
            settle(c, completion, now);
            return true;
        });
    }

    private void settle(Connection c, OutboxCompletion completion, Instant now) throws SQLException {
        List<Long> ids = completion.published().stream().map(OutboxRecord::id).toList();
        inList(c, keepPublished ? sql.markPublished : sql.deletePublished, ids,
                keepPublished ? now.toEpochMilli() : null);
        if (!completion.retries().isEmpty()) {
            try (PreparedStatement retry = c.prepareStatement(sql.retry)) {
                for (OutboxCompletion.Retry r : completion.retries()) {
                    retry.setInt(1, r.record().attempts());
                    retry.setString(2, r.record().lastError());
                    retry.setLong(3, r.notBefore().toEpochMilli());
                    retry.setLong(4, r.record().id());
                    retry.addBatch();
                }
                retry.executeBatch();
            }
        }
        if (!completion.dead().isEmpty()) {
            try (PreparedStatement insert = c.prepareStatement(sql.insertDead);
                    PreparedStatement delete = c.prepareStatement(sql.deleteRow)) {
                for (OutboxCompletion.Dead d : completion.dead()) {
                    OutboxRecord r = d.record();
                    bindRecord(insert, r);
                    insert.setLong(12, d.failedAt().toEpochMilli());
                    insert.addBatch();
                    delete.setLong(1, r.id());
                    delete.addBatch();
                }
                insert.executeBatch();
                delete.executeBatch();
            }
        }
    }

    private static void bindRecord(PreparedStatement s, OutboxRecord r) throws SQLException {
        s.setLong(1, r.id());
        s.setString(2, r.eventId());
        s.setString(3, r.aggregateType());
        s.setString(4, r.aggregateId());
        s.setString(5, r.eventType());
        s.setString(6, r.topic());
        s.setString(7, Headers.encode(r.headers()));
        s.setBytes(8, r.payload());
        s.setLong(9, r.createdAt().toEpochMilli());
        s.setInt(10, r.attempts());
        s.setString(11, r.lastError());
    }

    /** Runs {@code prefix (?, ...)} over the ids in chunks; a non-null {@code first} is bound before the ids. */
    private int inList(Connection c, String prefix, List<Long> ids, Long first) throws SQLException {
        if (dialect == Dialect.MYSQL) {
            return byId(c, prefix, ids, first);
        }
        int changed = 0;
        for (int from = 0; from < ids.size(); from += IN_LIST_CHUNK) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST_CHUNK));
            try (PreparedStatement s = c.prepareStatement(prefix + Sql.markers(chunk.size()))) {
                int i = 1;
                if (first != null) {
                    s.setLong(i++, first);
                }
                for (Long id : chunk) {
                    s.setLong(i++, id);
                }
                changed += s.executeUpdate();
            }
        }
        return changed;
    }

    /**
     * InnoDB may scan (and lock) the whole table for a long {@code IN} list on a small table, and a
     * {@code DELETE} then waits on rows another relay holds with {@code SKIP LOCKED}; one primary-key
     * lookup per id, sent as a batch, locks only the rows named.
     */
    private static int byId(Connection c, String prefix, List<Long> ids, Long first) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        try (PreparedStatement s = c.prepareStatement(prefix + "(?)")) {
            for (Long id : ids) {
                int i = 1;
                if (first != null) {
                    s.setLong(i++, first);
                }
                s.setLong(i, id);
                s.addBatch();
            }
            int changed = 0;
            for (int n : s.executeBatch()) {
                changed += n == Statement.SUCCESS_NO_INFO ? 1 : Math.max(0, n);
            }
            return changed;
        }
    }

    @Override
    public boolean supportsUnkeyedClaims() {
        return dialect.skipLocked();
    }

    @Override
    public int relayUnkeyed(Instant now, int limit, Function<List<OutboxRecord>, OutboxCompletion> publish) {
        if (!dialect.skipLocked()) {
            throw new UnsupportedOperationException(dialect + " spreads unkeyed rows over shards");
        }
        return run("claim unkeyed rows", true, c -> {
            if (dialect == Dialect.MYSQL) {
                // InnoDB's REPEATABLE READ takes next-key locks that SKIP LOCKED would wait on.
                try (Statement s = c.createStatement()) {
                    s.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
                }
            }
            List<OutboxRecord> rows;
            try (PreparedStatement claim = c.prepareStatement(sql.claimUnkeyed)) {
                claim.setLong(1, now.toEpochMilli());
                claim.setInt(2, limit);
                rows = rows(claim);
            }
            if (!rows.isEmpty()) {
                // The row locks are held while publishing; other relays skip these rows.
                settle(c, publish.apply(rows), now);
            }
            return rows.size();
        });
    }

    @Override
    public List<OutboxRecord> deadRecords(int limit) {
        return run("read dead rows", false, c -> {
            try (PreparedStatement s = c.prepareStatement(sql.deadRows)) {
                s.setInt(1, limit);
                return rows(s);
            }
        });
    }

    @Override
    public int replayDead(Collection<Long> ids, Instant now) {
        if (ids.isEmpty()) {
            return 0;
        }
        List<Long> list = List.copyOf(ids);
        return run("replay dead rows", true, c -> {
            int moved = 0;
            for (int from = 0; from < list.size(); from += IN_LIST_CHUNK) {
                List<Long> chunk = list.subList(from, Math.min(list.size(), from + IN_LIST_CHUNK));
                List<OutboxRecord> dead;
                try (PreparedStatement s = c.prepareStatement(sql.deadByIds + Sql.markers(chunk.size())
                        + " ORDER BY id")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        s.setLong(i + 1, chunk.get(i));
                    }
                    dead = rows(s);
                }
                try (PreparedStatement insert = c.prepareStatement(sql.replay)) {
                    for (OutboxRecord r : dead) {
                        JdbcOutbox.bindInsert(insert, shardOf(r.aggregateId(), r.eventId()), r.eventId(),
                                r.aggregateType(), r.aggregateId(), r.eventType(), r.topic(), r.headers(),
                                r.payload(), r.createdAt());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                moved += inList(c, sql.deleteDead, dead.stream().map(OutboxRecord::id).toList(), null);
            }
            return moved;
        });
    }

    int shardOf(String key, String eventId) {
        if (key != null) {
            return OutboxStore.shardOf(key, shards);
        }
        return dialect.skipLocked() ? -1 : OutboxStore.shardOf(eventId, shards);
    }

    @Override
    public int purgeDead(Instant cutoff, int limit) {
        return purge("purge dead rows", sql.oldDead, sql.deleteDead, cutoff, limit);
    }

    @Override
    public int purgePublished(Instant cutoff, int limit) {
        if (!keepPublished) {
            return 0;
        }
        return purge("purge published rows", sql.oldPublished, sql.deletePublished, cutoff, limit);
    }

    private int purge(String what, String select, String delete, Instant cutoff, int limit) {
        return run(what, true, c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(select)) {
                s.setLong(1, cutoff.toEpochMilli());
                s.setInt(2, limit);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            return inList(c, delete, ids, null);
        });
    }

    @Override
    public OutboxBacklog backlog() {
        return run("read backlog", false, c -> {
            long pending;
            Instant oldest;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.pendingStats)) {
                rs.next();
                pending = rs.getLong(1);
                long min = rs.getLong(2);
                oldest = rs.wasNull() ? null : Instant.ofEpochMilli(min);
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.deadCount)) {
                rs.next();
                return new OutboxBacklog(pending, oldest, rs.getLong(1));
            }
        });
    }

    @Override
    public void onAppend(Runnable listener) {
        appendListeners.add(listener);
    }

    @Override
    public void hintOthers() {
        if (notifyChannel == null) {
            return;
        }
        run("notify", false, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("NOTIFY " + notifyChannel);
            }
            return null;
        });
    }

    @Override
    public AutoCloseable listenForHints(Runnable listener) {
        if (notifyChannel == null) {
            return () -> { };
        }
        PgHintListener hints = new PgHintListener(dataSource, notifyChannel, listener);
        hints.start();
        return hints;
    }

    void close() {
        pool.close();
    }

    void appended() {
        for (Runnable r : appendListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("outbox append listener failed", e);
            }
        }
    }
}
