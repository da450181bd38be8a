package io.eventcore.outbox.jdbc;

import io.eventcore.EventcoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The databases the JDBC outbox supports, with what differs between them.
 *
 * <table>
 *   <caption>Guarantees per dialect</caption>
 *   <tr><th>dialect</th><th>unkeyed rows</th><th>commit order</th></tr>
 *   <tr><td>{@link #POSTGRESQL} (13+)</td><td>claimed with {@code FOR UPDATE SKIP LOCKED}</td>
 *       <td>id order; in {@link JdbcOutbox.Builder#strictOrder strict mode} per key exactly the order in
 *       which the appending transactions committed</td></tr>
 *   <tr><td>{@link #MYSQL} (MySQL 8, MariaDB 10.6+)</td><td>claimed with {@code FOR UPDATE SKIP LOCKED}</td>
 *       <td>id order; two transactions appending for the same key concurrently may commit out of id
 *       order (serialise them on the aggregate row, as the business write usually does)</td></tr>
 *   <tr><td>{@link #H2} (2.x)</td><td>spread over the shards (no {@code SKIP LOCKED} claim)</td>
 *       <td>as MySQL</td></tr>
 * </table>
 */
public enum Dialect {
    /** PostgreSQL 13 or later. */
    POSTGRESQL("postgresql", true),
    /** MySQL 8 or later, and MariaDB 10.6 or later. */
    MYSQL("mysql", true),
    /** H2 2.x (tests and demos). */
    H2("h2", false);

    /** Where the migration folders are: {@value}. */
    public static final String MIGRATIONS = "io/eventcore/outbox/jdbc/migration";
    /** Where the inbox's migration folders are, apart from the outbox's: {@value}. */
    public static final String INBOX_MIGRATIONS = "io/eventcore/outbox/jdbc/migration-inbox";
    static final String STRICT_ORDER_DDL = MIGRATIONS + "/postgresql-strict-order/V1_1__eventcore_outbox_strict_order.sql";

    private final String folder;
    private final boolean skipLocked;

    Dialect(String folder, boolean skipLocked) {
        this.folder = folder;
        this.skipLocked = skipLocked;
    }

    /**
     * @return the classpath resource holding version 1 of this dialect's DDL with the default table prefix
     *         {@code eventcore_outbox}, a Flyway/Liquibase migration, e.g.
     *         {@code io/eventcore/outbox/jdbc/migration/postgresql/V1__eventcore_outbox.sql}
     */
    public String ddlResource() {
        return migrationLocation() + "/V1__eventcore_outbox.sql";
    }

    /**
     * @return the classpath folder of this dialect's versioned migrations ({@code V<n>__*.sql}, Flyway naming,
     *         with Liquibase "formatted SQL" headers), e.g. {@code io/eventcore/outbox/jdbc/migration/postgresql};
     *         on PostgreSQL {@link JdbcOutbox.Builder#strictOrder strict order} adds the folder
     *         {@code postgresql-strict-order}
     */
    public String migrationLocation() {
        return MIGRATIONS + "/" + folder;
    }

    /**
     * @return the classpath folder of this dialect's inbox migration ({@code V2__eventcore_inbox.sql}), e.g.
     *         {@code io/eventcore/outbox/jdbc/migration-inbox/postgresql}: apart from the outbox's, so that a
     *         service runs only what it uses; the versions of both folders never collide, so one schema history
     *         may hold both
     */
    public String inboxMigrationLocation() {
        return INBOX_MIGRATIONS + "/" + folder;
    }

    /** @return whether rows without a key are claimed with {@code FOR UPDATE SKIP LOCKED} */
    boolean skipLocked() {
        return skipLocked;
    }

    /**
     * @return an SQL expression for the database's current time in epoch milliseconds: leases and relay
     *         heartbeats are timed by it, so the clocks of the relay hosts do not matter
     */
    String nowMillis() {
        return switch (this) {
            case POSTGRESQL -> "CAST(EXTRACT(EPOCH FROM CLOCK_TIMESTAMP()) * 1000 AS BIGINT)";
            // UTC_TIMESTAMP: independent of the session time zone (NOW() is ambiguous when DST ends).
            case MYSQL -> "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(3)) DIV 1000)";
            case H2 -> "DATEDIFF(MILLISECOND, TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00', CURRENT_TIMESTAMP)";
        };
    }

    /** @return the DDL with the default table prefix */
    String defaultDdl() {
        return resource(ddlResource());
    }

    /** @return a classpath resource as UTF-8 text */
    static String resource(String name) {
        try (InputStream in = Dialect.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Picks the dialect from a connection of the data source, for builders that were given none.
     *
     * @param dataSource the data source
     * @param what the store being built, for the message ("outbox", "inbox")
     * @return the dialect
     * @throws EventcoreException if the database is unreachable
     */
    static Dialect detect(DataSource dataSource, String what) {
        try (Connection c = dataSource.getConnection()) {
            return detect(c);
        } catch (SQLException e) {
            throw new EventcoreException("could not detect the " + what + " dialect (set dialect() to skip this): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Picks the dialect from the connection's database product name.
     *
     * @param connection an open connection
     * @return the dialect
     * @throws SQLException if the metadata cannot be read
     * @throws IllegalArgumentException if the database is not supported
     */
    public static Dialect detect(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName();
        String p = product.toLowerCase(Locale.ROOT);
        if (p.contains("postgres")) {
            return POSTGRESQL;
        }
        if (p.contains("mysql") || p.contains("mariadb")) {
            return MYSQL;
        }
        if (p.equals("h2")) {
            return H2;
        }
        throw new IllegalArgumentException("unsupported database '" + product
                + "': eventcore's JDBC outbox supports PostgreSQL, MySQL/MariaDB and H2");
    }
}
