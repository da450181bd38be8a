package io.eventcore.outbox.jdbc;

import java.util.regex.Pattern;

/**
 * The inbox's statements for one dialect and table.
 *
 * @param insert records (group, event id, time); on PostgreSQL and MySQL a duplicate inserts nothing
 *        (update count 0), on H2 it fails with SQLState 23505
 * @param purge deletes at most {@code ?2} records made before {@code ?1}
 */
record InboxSql(String insert, String purge) {
    /** Identifiers of the default DDL: the table and its index. */
    static final Pattern DEFAULT_NAMES = Pattern.compile("\\b" + JdbcInbox.DEFAULT_TABLE + "(\\w*)");
    /** SQLState of a unique-key violation (H2, PostgreSQL). */
    static final String DUPLICATE_KEY = "23505";

    static InboxSql of(Dialect dialect, String table) {
        String columns = " (consumer_group, event_id, processed_at) VALUES (?, ?, ?)";
        return switch (dialect) {
            case POSTGRESQL -> new InboxSql("INSERT INTO " + table + columns + " ON CONFLICT DO NOTHING",
                    "DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table
                            + " WHERE processed_at < ? LIMIT ?))");
            case MYSQL -> new InboxSql("INSERT IGNORE INTO " + table + columns,
                    "DELETE FROM " + table + " WHERE processed_at < ? LIMIT ?");
            case H2 -> new InboxSql("INSERT INTO " + table + columns,
                    "DELETE FROM " + table + " WHERE processed_at < ? FETCH FIRST ? ROWS ONLY");
        };
    }

    /** @return the DDL of version 2 (the inbox) of this dialect's migrations, for the given table name */
    static String ddl(Dialect dialect, String table) {
        String script = Dialect.resource(dialect.migrationLocation() + "/V2__eventcore_inbox.sql");
        return JdbcSchema.rename(script, DEFAULT_NAMES, table);
    }
}
