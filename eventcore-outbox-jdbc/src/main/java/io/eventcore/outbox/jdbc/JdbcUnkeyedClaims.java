package io.eventcore.outbox.jdbc;

import io.eventcore.outbox.OutboxCompletion;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.outbox.UnkeyedClaims;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * {@link UnkeyedClaims} with {@code SELECT ... FOR UPDATE SKIP LOCKED} (PostgreSQL, MySQL/MariaDB): the
 * claimed rows stay locked while they are published and settled in the same transaction, and other relays
 * skip them. Thread-safe.
 */
final class JdbcUnkeyedClaims implements UnkeyedClaims {
    private final JdbcRunner db;
    private final Sql sql;
    private final Dialect dialect;
    private final JdbcSettlement settlement;

    JdbcUnkeyedClaims(JdbcRunner db, Sql sql, Dialect dialect, JdbcSettlement settlement) {
        if (!dialect.skipLocked()) {
            throw new IllegalArgumentException("unkeyed claims need SKIP LOCKED, which " + dialect + " lacks");
        }
        this.db = db;
        this.sql = sql;
        this.dialect = dialect;
        this.settlement = settlement;
    }

    @Override
    public int relay(Instant now, int limit, Function<List<OutboxRecord>, OutboxCompletion> publish) {
        return db.run("claim unkeyed rows", true, c -> {
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
                rows = RowMapping.rows(claim);
            }
            if (!rows.isEmpty()) {
                // The row locks are held while publishing; other relays skip these rows.
                settlement.settle(c, publish.apply(rows), now);
            }
            return rows.size();
        });
    }
}
