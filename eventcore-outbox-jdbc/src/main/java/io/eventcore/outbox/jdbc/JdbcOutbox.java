package io.eventcore.outbox.jdbc;

import io.eventcore.Clock;
import io.eventcore.codec.EventCodec;
import io.eventcore.EventcoreException;
import io.eventcore.outbox.Outbox;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The JDBC transactional outbox: {@link #append(Connection, List) appends} events with the caller's
 * connection, inside the caller's transaction, and provides the {@link #store() store} an
 * {@link io.eventcore.outbox.OutboxPublisher} relays from.
 *
 * <pre>{@code
 * JdbcOutbox outbox = JdbcOutbox.builder(dataSource).build();   // dialect detected
 * outbox.createSchema();                                           // or run outbox.ddl() with Flyway
 *
 * try (Connection c = dataSource.getConnection()) {
 *     c.setAutoCommit(false);
 *     insertOrder(c, order);
 *     outbox.append(c, OutboxEvent.of("Order", order.id(), new OrderCreated(order.id())));
 *     c.commit();
 * }
 *
 * OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(kafka).build();
 * relay.start();
 * }</pre>
 *
 * <p>Under Spring or jOOQ, pass the transaction's connection ({@code DataSourceUtils.getConnection},
 * {@code DSLContext.connection}); appending never commits, rolls back or closes it.
 *
 * <h2>Tables</h2>
 * {@code <table>} (pending rows), {@code <table>_dead}, {@code <table>_lease} and {@code <table>_relay},
 * with {@code <table>} defaulting to {@value #DEFAULT_TABLE}. The DDL ships per dialect as a classpath
 * resource ({@link Dialect#ddlResource()}), for Flyway or Liquibase.
 *
 * <p>Thread-safe.
 */
public final class JdbcOutbox implements Outbox<Connection> {
    /** Default table name (and prefix of the other tables): {@value}. */
    public static final String DEFAULT_TABLE = "eventcore_outbox";
    /** Default number of shards: {@value}. The most relay instances that share the work. */
    public static final int DEFAULT_SHARDS = 16;
    private static final Pattern IDENTIFIER = Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,39}");

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String table;
    private final EventCodec codec;
    private final Clock clock;
    private final Sql sql;
    private final JdbcOutboxStore store;

    private JdbcOutbox(Builder b, Dialect dialect) {
        this.dataSource = b.dataSource;
        this.dialect = dialect;
        this.table = b.table;
        this.codec = b.codec;
        this.clock = b.clock;
        this.sql = new Sql(b.table, dialect, b.strictOrder);
        this.store = new JdbcOutboxStore(b.dataSource, dialect, sql, b.shards, b.keepPublished,
                b.notifications ? b.table.replace('.', '_') : null);
    }

    /**
     * @param dataSource where the outbox tables are; the relay borrows connections from it
     * @return a builder
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Appends events with the caller's connection, in its transaction: they are relayed only if it
     * commits. Also wakes the local relay, which looks again shortly after (the commit itself is the
     * caller's); {@link #inTransaction} wakes it right after the commit.
     *
     * @param connection the caller's connection, normally with auto-commit off
     * @param events the events, in order
     * @throws EventcoreException wrapping the {@link SQLException} if the insert fails; roll back then
     */
    @Override
    public void append(Connection connection, List<OutboxEvent> events) {
        Objects.requireNonNull(connection, "connection");
        if (events.isEmpty()) {
            return;
        }
        Instant now = clock.now();
        try (PreparedStatement insert = connection.prepareStatement(sql.insert)) {
            for (OutboxEvent e : events) {
                bindInsert(insert, store.shardOf(e.aggregateId(), e.eventId()), e.eventId(), e.aggregateType(),
                        e.aggregateId(), e.eventType(), e.topic(), e.headers(), e.encodedPayload(codec),
                        e.occurredAt() != null ? e.occurredAt() : now);
                if (events.size() > 1) {
                    insert.addBatch();
                }
            }
            if (events.size() > 1) {
                insert.executeBatch();
            } else {
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            throw new EventcoreException("could not append " + events.size() + " event(s) to the outbox table "
                    + table + ": " + e.getMessage(), e);
        }
        store.appended();
    }

    static void bindInsert(PreparedStatement s, int shard, String eventId, String aggregateType, String aggregateId,
            String eventType, String topic, Map<String, String> headers, byte[] payload, Instant createdAt)
            throws SQLException {
        s.setInt(1, shard);
        s.setString(2, eventId);
        s.setString(3, aggregateType);
        s.setString(4, aggregateId);
        s.setString(5, eventType);
        s.setString(6, topic);
        s.setString(7, Headers.encode(headers));
        s.setBytes(8, payload);
        s.setLong(9, createdAt.toEpochMilli());
    }

    /** Work done inside {@link #inTransaction}. */
    @FunctionalInterface
    public interface TransactionWork<R> {
        /**
         * @param connection the transaction's connection; do not commit or close it
         * @return the result
         * @throws Exception anything; the transaction is rolled back
         */
        R run(Connection connection) throws Exception;
    }

    /**
     * Runs {@code work} in a new transaction on a connection from the data source, commits, and then
     * wakes the local relay, for the lowest commit-to-publish latency.
     *
     * @param work the business writes and {@link #append} calls
     * @param <R> result type
     * @return what {@code work} returned
     * @throws EventcoreException if the transaction fails (it is rolled back); the cause is the failure
     */
    public <R> R inTransaction(TransactionWork<R> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                R result = work.run(c);
                c.commit();
                return result;
            } catch (Exception e) {
                c.rollback();
                throw e instanceof EventcoreException ee ? ee
                        : new EventcoreException("transaction rolled back: " + e.getMessage(), e);
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new EventcoreException("transaction failed: " + e.getMessage(), e);
        } finally {
            store.appended();
        }
    }

    /**
     * Wakes the local relay: call it after committing a transaction that appended (for instance from
     * Spring's {@code TransactionSynchronization.afterCommit}) when not using {@link #inTransaction}.
     */
    public void committed() {
        store.appended();
    }

    /** @return the store for {@link io.eventcore.outbox.OutboxPublisher.Builder#store} */
    public OutboxStore store() {
        return store;
    }

    /** @return the dialect in use */
    public Dialect dialect() {
        return dialect;
    }

    /** @return the DDL of this dialect with the configured table names */
    public String ddl() {
        // Index names take no schema: they get the bare table name.
        return dialect.defaultDdl().replaceAll(DEFAULT_TABLE + "(\\w*)_idx", Sql.bare(table) + "$1_idx")
                .replace(DEFAULT_TABLE, table);
    }

    /**
     * Creates the tables and indexes if they do not exist (every statement is {@code IF NOT EXISTS}).
     * For quick starts and tests; production schemas are usually migrated with {@link #ddl()}.
     *
     * @throws EventcoreException if a statement fails
     */
    public void createSchema() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            for (String statement : statements(ddl())) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new EventcoreException("could not create the outbox schema for " + table + ": " + e.getMessage(), e);
        }
    }

    static List<String> statements(String script) {
        StringBuilder withoutComments = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.trim().startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        return java.util.Arrays.stream(withoutComments.toString().split(";")).map(String::trim)
                .filter(st -> !st.isEmpty()).toList();
    }

    /** Closes the relay-side connections this outbox keeps open. Appends keep working. */
    public void close() {
        store.close();
    }

    /**
     * Builds a {@link JdbcOutbox}. Setters reject invalid values with {@link IllegalArgumentException}
     * naming the setting; repeated settings throw {@link IllegalStateException}. Not thread-safe.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private Dialect dialect;
        private String table = DEFAULT_TABLE;
        private int shards = DEFAULT_SHARDS;
        private EventCodec codec = EventCodec.json();
        private Clock clock = Clock.system();
        private boolean strictOrder;
        private boolean keepPublished;
        private boolean notifications;
        private final java.util.Set<String> set = new java.util.HashSet<>();

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException(name + " was already set");
            }
        }

        /**
         * @param value the database dialect; detected from the first connection when not set
         * @return this builder
         */
        public Builder dialect(Dialect value) {
            once("dialect");
            this.dialect = Objects.requireNonNull(value, "dialect");
            return this;
        }

        /**
         * @param name the outbox table, optionally schema-qualified; also the prefix of the {@code _dead},
         *        {@code _lease} and {@code _relay} tables. Must be a plain SQL identifier (letters, digits,
         *        underscores, at most 40 characters). Defaults to {@value JdbcOutbox#DEFAULT_TABLE}.
         * @return this builder
         * @throws IllegalArgumentException if it is not a plain identifier
         */
        public Builder table(String name) {
            once("table");
            Objects.requireNonNull(name, "table");
            if (!IDENTIFIER.matcher(name).matches()) {
                throw new IllegalArgumentException("table must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most"
                        + " 40 characters, optionally schema-qualified), but was '" + name + "'");
            }
            this.table = name;
            return this;
        }

        /**
         * @param count shards keyed rows are spread over: the most relay instances that can share the work.
         *        Fixed for the life of the table: change it only when the outbox is empty. Defaults to
         *        {@value JdbcOutbox#DEFAULT_SHARDS}.
         * @return this builder
         */
        public Builder shards(int count) {
            once("shards");
            if (count < 1 || count > 1024) {
                throw new IllegalArgumentException("shards must be between 1 and 1024, but was " + count);
            }
            this.shards = count;
            return this;
        }

        /**
         * @param value codec for object payloads; defaults to {@link EventCodec#json()}
         * @return this builder
         */
        public Builder codec(EventCodec value) {
            once("codec");
            this.codec = Objects.requireNonNull(value, "codec");
            return this;
        }

        /**
         * @param value source of {@code created_at}; defaults to {@link Clock#system()}
         * @return this builder
         */
        public Builder clock(Clock value) {
            once("clock");
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * PostgreSQL only: relay only rows whose inserting transaction is older than every transaction
         * still running ({@code tx_id < pg_snapshot_xmin(pg_current_snapshot())}). Then no transaction
         * that commits later can add a row with a lower id behind rows already relayed, whatever the
         * application does; the price is that one long transaction holds back all publishing until it
         * ends. Defaults to {@code false}.
         *
         * @param strict whether to read in strict commit order
         * @return this builder
         */
        public Builder strictOrder(boolean strict) {
            once("strictOrder");
            this.strictOrder = strict;
            return this;
        }

        /**
         * @param keep mark published rows instead of deleting them, so they can be inspected until purged
         *        (see {@link io.eventcore.outbox.OutboxPublisher.Builder#publishedRetention}). Defaults to {@code false}.
         * @return this builder
         */
        public Builder keepPublished(boolean keep) {
            once("keepPublished");
            this.keepPublished = keep;
            return this;
        }

        /**
         * PostgreSQL only: relays {@code LISTEN} on a channel named after the table, and a relay woken by a
         * local append sends one {@code NOTIFY} (at most one per poll interval, never per business
         * transaction) so relays in other processes owning the row's shard wake too. Needs pgjdbc.
         * Defaults to {@code false}.
         *
         * @param enabled whether to use LISTEN/NOTIFY
         * @return this builder
         */
        public Builder notifications(boolean enabled) {
            once("notifications");
            this.notifications = enabled;
            return this;
        }

        /**
         * @return the outbox
         * @throws IllegalStateException if a PostgreSQL-only option is set for another dialect
         * @throws EventcoreException if the dialect must be detected and the database is unreachable
         */
        public JdbcOutbox build() {
            Dialect d = dialect;
            if (d == null) {
                try (Connection c = dataSource.getConnection()) {
                    d = Dialect.detect(c);
                } catch (SQLException e) {
                    throw new EventcoreException("could not detect the outbox dialect (set dialect() to skip this): "
                            + e.getMessage(), e);
                }
            }
            if (strictOrder && d != Dialect.POSTGRESQL) {
                throw new IllegalStateException("strictOrder needs PostgreSQL, but the dialect is " + d);
            }
            if (notifications && d != Dialect.POSTGRESQL) {
                throw new IllegalStateException("notifications needs PostgreSQL, but the dialect is " + d);
            }
            return new JdbcOutbox(this, d);
        }
    }
}
