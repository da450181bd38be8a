package io.eventcore.outbox.jdbc;

import io.eventcore.EventcoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The outbox tables of one dialect and table name: the DDL (the dialect's resource with the table prefix
 * replaced) and its execution. Immutable; thread-safe.
 */
final class JdbcSchema {
    /** A plain SQL identifier of at most 40 characters, optionally schema-qualified. */
    static final Pattern TABLE_NAME = Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,39}");

    private static final Pattern DEFAULT_NAMES = Pattern.compile("\\b" + JdbcOutbox.DEFAULT_TABLE + "(\\w*)");

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String table;
    private final boolean strictOrder;

    JdbcSchema(DataSource dataSource, Dialect dialect, String table, boolean strictOrder) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.table = table;
        this.strictOrder = strictOrder;
    }

    /** @return the DDL of this dialect with the configured table names */
    String ddl() {
        String ddl = dialect.defaultDdl();
        if (strictOrder) {
            ddl = ddl + "\n" + Dialect.resource(Dialect.STRICT_ORDER_DDL);
        }
        return rename(ddl, table);
    }

    /**
     * @return the name, if it is one the stores accept
     * @throws IllegalArgumentException naming the rule, if it is not
     */
    static String checkTableName(String name) {
        Objects.requireNonNull(name, "table");
        if (!TABLE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("table must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*,"
                    + " at most 40 characters, optionally schema-qualified), but was '" + name + "'");
        }
        return name;
    }

    /**
     * Replaces every identifier starting with the default prefix in one pass (so a table name that itself
     * contains the prefix is not renamed twice). Index and trigger names ({@code ..._idx}, {@code ..._trg})
     * take no schema: they get the bare table name, and live in the table's schema.
     */
    static String rename(String ddl, String table) {
        return rename(ddl, DEFAULT_NAMES, table);
    }

    /** {@link #rename(String, String)} for the identifiers {@code names} matches (group 1: the suffix). */
    static String rename(String ddl, Pattern names, String table) {
        Matcher m = names.matcher(ddl);
        StringBuilder out = new StringBuilder(ddl.length() + 64);
        while (m.find()) {
            String suffix = m.group(1);
            boolean bare = suffix.endsWith("_idx") || suffix.endsWith("_trg");
            m.appendReplacement(out, Matcher.quoteReplacement((bare ? Sql.bare(table) : table) + suffix));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Runs every statement of {@link #ddl()} (each is {@code IF NOT EXISTS}). */
    void create() {
        run(dataSource, ddl(), "outbox", table);
    }

    /** Runs every statement of a script in auto-commit mode. */
    static void run(DataSource dataSource, String script, String what, String table) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            for (String statement : statements(script)) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new EventcoreException("could not create the " + what + " schema for " + table + ": " + e.getMessage(), e);
        }
    }

    /**
     * @return the statements of a script: {@code --} comment lines dropped, split at semicolons outside
     *         {@code $$}-quoted bodies
     */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inBody = false;
        for (String line : script.split("\n")) {
            if (!inBody && line.trim().startsWith("--")) {
                continue;
            }
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (ch == '$' && i + 1 < line.length() && line.charAt(i + 1) == '$') {
                    inBody = !inBody;
                    current.append("$$");
                    i++;
                } else if (ch == ';' && !inBody) {
                    add(out, current);
                } else {
                    current.append(ch);
                }
            }
            current.append('\n');
        }
        add(out, current);
        return out;
    }

    private static void add(List<String> statements, StringBuilder current) {
        String statement = current.toString().trim();
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
        current.setLength(0);
    }
}
