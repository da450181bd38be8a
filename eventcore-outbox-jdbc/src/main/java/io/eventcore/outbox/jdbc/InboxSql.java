package io.eventcore.outbox.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * The inbox's statements for one dialect and table.
 *
 * @param insert records (group, event id, time); on PostgreSQL and MySQL a duplicate inserts nothing
 *        (update count 0), on H2 it fails with SQLState 23505
 * @param purge deletes at most {@code ?2} records made before {@code ?1}
 * @param duplicateFails whether a duplicate insert fails with {@link #DUPLICATE_KEY} instead (H2)
 */
record InboxSql(String insert, String purge, boolean duplicateFails) {
    /** Identifiers of the default DDL: the table and its index. */
    static final Pattern DEFAULT_NAMES = Pattern.compile("\\b" + JdbcInbox.DEFAULT_TABLE + "(\\w*)");
    /** SQLState of a unique-key violation (H2, PostgreSQL). */
    static final String DUPLICATE_KEY = "23505";
    /** SQLState of a deadlock victim or serialization failure (InnoDB's 1213, PostgreSQL's 40P01 is separate). */
    static final String DEADLOCK = "40001";
    private static final int DEADLOCK_ATTEMPTS = 5;

    static InboxSql of(Dialect dialect, String table) {
        String columns = " (consumer_group, event_id, processed_at) VALUES (?, ?, ?)";
        return switch (dialect) {
            case POSTGRESQL -> new InboxSql("INSERT INTO " + table + columns + " ON CONFLICT DO NOTHING",
                    "DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table
                            + " WHERE processed_at < ? LIMIT ?))", false);
            case MYSQL -> new InboxSql("INSERT IGNORE INTO " + table + columns,
                    "DELETE FROM " + table + " WHERE processed_at < ? LIMIT ?", false);
            case H2 -> new InboxSql("INSERT INTO " + table + columns,
                    "DELETE FROM " + table + " WHERE processed_at < ? FETCH FIRST ? ROWS ONLY", true);
        };
    }

    /**
     * Records (group, event id) on the connection's transaction.
     *
     * @return {@code true} if recorded now, {@code false} if recorded before
     */
    boolean insert(Connection c, String consumerGroup, String eventId, long nowMillis) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(insert)) {
            s.setString(1, consumerGroup);
            s.setString(2, eventId);
            s.setLong(3, nowMillis);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            if (duplicateFails && DUPLICATE_KEY.equals(e.getSQLState())) {
                return false; // H2 has no insert-if-absent; its failed statement leaves the transaction usable
            }
            throw e;
        }
    }

    /**
     * {@link #insert} as a transaction's first statement: when InnoDB picks it as a deadlock victim
     * (concurrent deliveries of one event waiting on a transaction that rolled back), nothing else is
     * lost, so it rolls back and inserts again, a few times.
     */
    boolean insertRetryingDeadlocks(Connection c, String consumerGroup, String eventId, long nowMillis)
            throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return insert(c, consumerGroup, eventId, nowMillis);
            } catch (SQLException e) {
                if (!DEADLOCK.equals(e.getSQLState()) || attempt == DEADLOCK_ATTEMPTS) {
                    throw e;
                }
                c.rollback();
            }
        }
    }

    /** @return the DDL of version 2 (the inbox) of this dialect's migrations, for the given table name */
    static String ddl(Dialect dialect, String table) {
        String script = Dialect.resource(dialect.inboxMigrationLocation() + "/V2__eventcore_inbox.sql");
        return JdbcSchema.rename(script, DEFAULT_NAMES, table);
    }
}
