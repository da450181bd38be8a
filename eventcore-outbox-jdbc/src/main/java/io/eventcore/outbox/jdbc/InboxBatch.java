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
 * {@link JdbcInbox#processBatchOnce}: one transaction per batch. One query finds the ids already recorded, one
 * JDBC batch records the new ones with a plain {@code INSERT}, the work runs on the same connection, one commit.
 * Should another transaction record one of the ids between the query and the insert, the insert fails on the
 * primary key and the whole transaction rolls back: the failure fails the batch, and handling its events again
 * (alone, as the router does after a batch failure) skips the one recorded elsewhere. Nothing is ever recorded
 * twice and no work runs for a recorded id.
 */
final class InboxBatch {
    private InboxBatch() {
    }

    static int process(DataSource dataSource, String table, String group, List<String> ids, long nowMillis,
            InboxStore.BatchWork<Connection> work) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            }
            List<Integer> fresh;
            try {
                fresh = record(c, table, group, ids, nowMillis);
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
