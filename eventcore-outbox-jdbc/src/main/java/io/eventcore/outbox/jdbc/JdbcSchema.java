package io.eventcore.outbox.jdbc;

import io.eventcore.EventcoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The outbox tables of one dialect and table name: the DDL (the dialect's resource with the table prefix
 * replaced) and its execution. Immutable; thread-safe.
 */
final class JdbcSchema {
    /** A plain SQL identifier of at most 40 characters, optionally schema-qualified. */
    static final Pattern TABLE_NAME = Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,39}");

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String table;

    JdbcSchema(DataSource dataSource, Dialect dialect, String table) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.table = table;
    }

    /** @return the DDL of this dialect with the configured table names */
    String ddl() {
        // Index names take no schema: they get the bare table name.
        return dialect.defaultDdl().replaceAll(JdbcOutbox.DEFAULT_TABLE + "(\\w*)_idx", Sql.bare(table) + "$1_idx")
                .replace(JdbcOutbox.DEFAULT_TABLE, table);
    }

    /** Runs every statement of {@link #ddl()} (each is {@code IF NOT EXISTS}). */
    void create() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            for (String statement : statements(ddl())) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new EventcoreException("could not create the outbox schema for " + table + ": " + e.getMessage(), e);
        }
    }

    /** @return the statements of a script: {@code --} comment lines dropped, split at semicolons */
    static List<String> statements(String script) {
        StringBuilder withoutComments = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.trim().startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        return Arrays.stream(withoutComments.toString().split(";")).map(String::trim).filter(st -> !st.isEmpty())
                .toList();
    }
}
