package io.eventcore.outbox.jdbc;

import io.eventcore.inbox.InboxStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * {@link JdbcInbox#processBatchOnce}: one transaction per batch; the work runs on its connection, one commit. On
 * PostgreSQL one {@code INSERT ... ON CONFLICT DO NOTHING RETURNING} records the new ids and names them. Elsewhere
 * one query (on the primary key) finds the ids already recorded and one JDBC batch records the others with a plain
 * {@code INSERT}: should another transaction record one of them in between, the insert fails on the primary key and
 * the whole transaction rolls back, which fails the batch; handling its events again (alone, as the router does
 * after a batch failure) skips the one recorded elsewhere. Nothing is recorded twice; no work runs for a recorded
 * id.
 */
final class InboxBatch {
    private InboxBatch() {
    }

    static int process(DataSource dataSource, Dialect dialect, String table, String group, List<String> ids,
            long nowMillis, InboxStore.BatchWork<Connection> work) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            }
            List<Integer> fresh;
            try {
                fresh = dialect == Dialect.POSTGRESQL ? recordReturning(c, table, group, ids, nowMillis)
                        : record(c, table, group, ids, nowMillis);
                if (!fresh.isEmpty()) {
                    work.run(List.copyOf(fresh), c);
                }
                c.commit();
            } catch (Throwable t) { // an Error too: never let the auto-commit restore commit half-done work
                Transactions.rollbackAfter(c, t, autoCommit);
                throw t;
            }
            if (autoCommit) {
                c.setAutoCommit(true);
            }
            return fresh.size();
        }
    }

    /** @return the positions of the ids recorded now (new, and first of their id in the list) */
    private static List<Integer> record(Connection c, String table, String group, List<String> ids, long nowMillis)
            throws SQLException {
        Set<String> known = recorded(c, table, group, ids);
        List<Integer> fresh = new ArrayList<>(ids.size());
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table
                + " (consumer_group, event_id, processed_at) VALUES (?, ?, ?)")) {
            for (int i = 0; i < ids.size(); i++) {
                if (known.add(ids.get(i))) {
                    s.setString(1, group);
                    s.setString(2, ids.get(i));
                    s.setLong(3, nowMillis);
                    s.addBatch();
                    fresh.add(i);
                }
            }
            if (!fresh.isEmpty()) {
                s.executeBatch();
            }
        }
        return fresh;
    }

    /**
     * PostgreSQL: one statement records the new ids and returns them. {@code ON CONFLICT DO NOTHING} finds the
     * recorded ones through the primary key whatever the planner thinks of the table, and waits for a concurrent
     * transaction recording the same id, as {@link JdbcInbox#processOnce} does.
     */
    private static List<Integer> recordReturning(Connection c, String table, String group, List<String> ids,
            long nowMillis) throws SQLException {
        Set<String> inserted = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table
                + " (consumer_group, event_id, processed_at) SELECT ?, u, ? FROM unnest(?) AS u"
                + " ON CONFLICT DO NOTHING RETURNING event_id")) {
            s.setString(1, group);
            s.setLong(2, nowMillis);
            s.setArray(3, c.createArrayOf("varchar", new HashSet<>(ids).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
        }
        List<Integer> fresh = new ArrayList<>(inserted.size());
        for (int i = 0; i < ids.size(); i++) {
            if (inserted.remove(ids.get(i))) { // the first position of each id recorded now
                fresh.add(i);
            }
        }
        return fresh;
    }

    private static Set<String> recorded(Connection c, String table, String group, List<String> ids)
            throws SQLException {
        Set<String> distinct = new HashSet<>(ids);
        StringBuilder sql = new StringBuilder("SELECT event_id FROM ").append(table)
                .append(" WHERE consumer_group = ? AND event_id IN (");
        for (int i = 0; i < distinct.size(); i++) {
            sql.append(i == 0 ? "?" : ", ?");
        }
        Set<String> found = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement(sql.append(')').toString())) {
            s.setString(1, group);
            int p = 2;
            for (String id : distinct) {
                s.setString(p++, id);
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }
}
