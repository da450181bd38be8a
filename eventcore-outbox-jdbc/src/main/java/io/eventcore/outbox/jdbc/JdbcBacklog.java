package io.eventcore.outbox.jdbc;

import io.eventcore.outbox.OutboxBacklog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Reads the backlog without visiting every pending row: a count that stops after {@value #EXACT_UP_TO} + 1
 * rows, the head of each shard by the pending index, and, only above the bound, an estimate. Thread-safe.
 *
 * <ul>
 *   <li>{@code pending} is exact up to {@value #EXACT_UP_TO}. Above, it is the database's estimate of the
 *       table's rows, kept between the proven bounds {@code EXACT_UP_TO + 1} and the span from the lowest
 *       pending id to the highest id (which also cuts off most kept published rows, all older than the
 *       pending ones): PostgreSQL's live-row count of the statistics system
 *       ({@code pg_stat_get_live_tuples}, updated as transactions end), MySQL's/MariaDB's
 *       ({@code information_schema.TABLES.TABLE_ROWS}), on H2 the id span itself.</li>
 *   <li>{@code oldestCreatedAt} is the oldest creation time among each shard's lowest pending id (rows leave
 *       a shard in id order), found by one index probe per shard.</li>
 *   <li>{@code dead} is counted exactly: the dead table is expected to stay small (purged by age).</li>
 * </ul>
 */
final class JdbcBacklog {
    /** Pending counts up to this are exact: {@value}. */
    static final int EXACT_UP_TO = 10_000;

    private final JdbcRunner db;
    private final Sql sql;
    private final int shards;

    JdbcBacklog(JdbcRunner db, Sql sql, int shards) {
        this.db = db;
        this.sql = sql;
        this.shards = shards;
    }

    OutboxBacklog read() {
        return db.run("read backlog", false, c -> {
            long pending = single(c, sql.pendingUpTo);
            long lowestId = Long.MAX_VALUE;
            long oldest = Long.MAX_VALUE;
            try (PreparedStatement head = c.prepareStatement(sql.shardHead)) {
                for (int shard = -1; shard < shards; shard++) {
                    head.setInt(1, shard);
                    try (ResultSet rs = head.executeQuery()) {
                        if (rs.next()) {
                            lowestId = Math.min(lowestId, rs.getLong(1));
                            oldest = Math.min(oldest, rs.getLong(2));
                        }
                    }
                }
            }
            if (pending > EXACT_UP_TO) {
                long span = single(c, sql.maxId) - lowestId + 1;
                pending = Math.max(EXACT_UP_TO + 1L, Math.min(span, estimate(c, span)));
            }
            return new OutboxBacklog(pending, oldest == Long.MAX_VALUE ? null : Instant.ofEpochMilli(oldest),
                    single(c, sql.deadCount));
        });
    }

    /** @return the database's estimate of the pending rows, or {@code fallback} if it has none */
    private long estimate(Connection c, long fallback) throws SQLException {
        if (sql.pendingEstimate == null) {
            return fallback;
        }
        try (PreparedStatement s = c.prepareStatement(sql.pendingEstimate); ResultSet rs = s.executeQuery()) {
            long rows = rs.next() ? rs.getLong(1) : -1;
            return rs.wasNull() || rows < 0 ? fallback : rows;
        }
    }

    private static long single(Connection c, String query) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(query); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
