package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.outbox.OutboxEvent;
import io.eventcore.test.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The MySQL/MariaDB settlement deletes published rows with {@code IN} lists forced onto the primary key: it must
 * lock the rows it names and nothing else, or it would hold up other relays' settlements, unkeyed claims and the
 * application's appends while its transaction is open.
 */
class MariaDbSettlementLocksIT {
    private static final String TABLE = "ec_settle_locks";

    @Test
    void deletingPublishedRows_locksOnlyTheNamedRows_notTheirNeighboursNorAppends() throws Exception {
        DataSource db = TestDatabase.mariadb().dataSource();
        try (JdbcOutbox outbox = JdbcOutbox.builder(db).table(TABLE).build()) {
            outbox.createSchema();
            TestDatabase.emptyOutbox(db, TABLE);
            List<OutboxEvent> events = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                events.add(OutboxEvent.builder("Order", "k" + i).rawPayload("Step",
                        ("v" + i).getBytes(StandardCharsets.UTF_8)).build());
            }
            outbox.inTransaction(c -> {
                outbox.append(c, events);
                return null;
            });
            List<Long> ids = ids(db);
            Sql sql = new Sql(TABLE, Dialect.MYSQL, false);
            try (Connection settling = db.getConnection()) {
                settling.setAutoCommit(false);
                int deleted = IdStatements.inLists(settling, sql.deletePublishedByPk, ids.subList(0, 2), null);
                assertThat(deleted).isEqualTo(2);

                // One equality probe per row: a locking read of an IN list on a 6-row table may itself scan it.
                for (Long free : ids.subList(2, 6)) {
                    assertThat(lockWithin1s(db, "SELECT id FROM " + TABLE + " WHERE id = " + free + " FOR UPDATE"))
                            .as("row %d, not named, is free", free).isTrue();
                }
                outbox.inTransaction(c -> {
                    outbox.append(c, OutboxEvent.builder("Order", "k9").rawPayload("Step", new byte[] {1}).build());
                    return null;
                });
                assertThat(lockWithin1s(db, "SELECT id FROM " + TABLE + " WHERE id = " + ids.get(1) + " FOR UPDATE"))
                        .as("a named row is locked until the settlement commits").isFalse();
                settling.rollback();
            }
        }
    }

    private static List<Long> ids(DataSource db) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id FROM " + TABLE + " ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /** @return whether {@code query} got its locks within a second (InnoDB's lock wait timeout set to 1 s) */
    private static boolean lockWithin1s(DataSource db, String query) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET SESSION innodb_lock_wait_timeout = 1");
                s.executeQuery(query).close();
                return true;
            } catch (SQLException e) {
                assertThat(e.getMessage()).containsIgnoringCase("lock wait timeout");
                return false;
            } finally {
                c.rollback();
            }
        }
    }
}
