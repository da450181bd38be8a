package io.eventcore.outbox.jdbc;

import io.eventcore.Clock;
import io.eventcore.EventcoreException;
import io.eventcore.codec.EventCodec;
import io.eventcore.internal.Checks;
import io.eventcore.outbox.Outbox;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
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
 * <h2>Connections</h2>
 * Made for a connection pool (HikariCP and the like): every relay operation borrows a connection from the
 * data source and returns it when the statement or short transaction is done, so none stays checked out
 * between passes (leak detection stays quiet, {@code maxLifetime} rotation works). A relay needs one
 * connection at a time, plus one dedicated connection for {@code LISTEN} only when
 * {@link Builder#notifications notifications} are on. Without a pool every operation opens a connection.
 *
 * <p>Thread-safe.
 */
public final class JdbcOutbox implements Outbox<Connection>, AutoCloseable {
    /** Default table name (and prefix of the other tables): {@value}. */
    public static final String DEFAULT_TABLE = "eventcore_outbox";
    /** Default number of shards: {@value}. The most relay instances that share the work. */
    public static final int DEFAULT_SHARDS = 16;
    /** Largest number of shards: {@value}. */
    public static final int MAX_SHARDS = 1024;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String table;
    private final EventCodec codec;
    private final Clock clock;
    private final Sql sql;
    private final Shards shards;
    private final JdbcSchema schema;
    private final JdbcOutboxStore store;

    private JdbcOutbox(Builder b, Dialect dialect) {
        this.dataSource = b.dataSource;
        this.dialect = dialect;
        this.table = b.table != null ? b.table : DEFAULT_TABLE;
        this.codec = b.codec != null ? b.codec : EventCodec.json();
        this.clock = b.clock != null ? b.clock : Clock.system();
        this.sql = new Sql(table, dialect, Boolean.TRUE.equals(b.strictOrder));
        this.shards = new Shards(b.shards != null ? b.shards : DEFAULT_SHARDS, dialect);
        this.schema = new JdbcSchema(dataSource, dialect, table, Boolean.TRUE.equals(b.strictOrder));
        this.store = new JdbcOutboxStore(dataSource, dialect, sql, shards, Boolean.TRUE.equals(b.keepPublished),
                Boolean.TRUE.equals(b.notifications) ? table.replace('.', '_') : null, table);
    }

    /**
     * @param dataSource where the outbox tables are; the relay borrows connections from it
     * @return a builder
     * @throws NullPointerException if the data source is null
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
                RowMapping.bindInsert(insert, shards.of(e.aggregateId(), e.eventId()), e, codec, now);
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

    /**
     * Work done inside {@link #inTransaction}.
     *
     * @param <R> result type
     */
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
     * @throws Error an {@link Error} thrown by {@code work}, as is, after the rollback
     */
    public <R> R inTransaction(TransactionWork<R> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            }
            R result;
            try {
                result = work.run(c);
                c.commit();
            } catch (Throwable t) { // an Error too: never let the auto-commit restore commit half-done work
                Transactions.rollbackAfter(c, t, autoCommit);
                if (t instanceof Error err) {
                    throw err;
                }
                throw t instanceof EventcoreException ee ? ee
                        : new EventcoreException("transaction rolled back: " + t.getMessage(), t);
            }
            if (autoCommit) {
                c.setAutoCommit(true); // nothing is pending: the transaction was committed
            }
            store.appended();
            return result;
        } catch (SQLException e) {
            throw new EventcoreException("transaction failed: " + e.getMessage(), e);
        }
    }

    /**
     * Wakes the local relay: call it after committing a transaction that appended (for instance from
     * Spring's {@code TransactionSynchronization.afterCommit}) when not using {@link #inTransaction}.
     */
    public void committed() {
        store.appended();
    }

    /**
     * @return the store for {@link io.eventcore.outbox.OutboxPublisher.Builder#store}; it has
     *         {@link OutboxStore#unkeyedClaims() unkeyed claims} on PostgreSQL and MySQL/MariaDB, and a
     *         {@link OutboxStore#hints() hint channel} when {@link Builder#notifications notifications} are on
     */
    public OutboxStore store() {
        return store;
    }

    /** @return the dialect in use */
    public Dialect dialect() {
        return dialect;
    }

    /** @return the DDL of this dialect with the configured table names */
    public String ddl() {
        return schema.ddl();
    }

    /**
     * Creates the tables and indexes if they do not exist (every statement is {@code IF NOT EXISTS}).
     * For quick starts and tests; production schemas are usually migrated with {@link #ddl()}.
     *
     * @throws EventcoreException if a statement fails
     */
    public void createSchema() {
        schema.create();
    }

    /**
     * Releases what the relay side holds. The store borrows a connection from the data source per operation
     * and gives it back at once, so there is nothing pooled to close; a relay's {@code LISTEN} connection
     * (only with {@link Builder#notifications notifications}) is closed when that relay closes. Appends
     * keep working; closing twice is harmless.
     */
    @Override
    public void close() {
        store.close();
    }

    /**
     * Builds a {@link JdbcOutbox}. Each setting may be given once: a repeated one throws
     * {@link IllegalStateException} naming it, an invalid value {@link IllegalArgumentException} naming the
     * setting and the value, a {@code null} {@link NullPointerException}. The data source is required (it is
     * the argument of {@link JdbcOutbox#builder}). Not thread-safe.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private Dialect dialect;
        private String table;
        private Integer shards;
        private EventCodec codec;
        private Clock clock;
        private Boolean strictOrder;
        private Boolean keepPublished;
        private Boolean notifications;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * @param value the database dialect; detected from the first connection when not set
         * @return this builder
         */
        public Builder dialect(Dialect value) {
            dialect = Checks.once("dialect", dialect, Objects.requireNonNull(value, "dialect"));
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
            table = Checks.once("table", table, JdbcSchema.checkTableName(name));
            return this;
        }

        /**
         * @param count shards keyed rows are spread over, between 1 and {@value JdbcOutbox#MAX_SHARDS}: the most
         *        relay instances that can share the work. Fixed for the life of the table: change it only when
         *        the outbox is empty. Defaults to {@value JdbcOutbox#DEFAULT_SHARDS}.
         * @return this builder
         */
        public Builder shards(int count) {
            if (count < 1 || count > MAX_SHARDS) {
                throw new IllegalArgumentException("shards must be between 1 and " + MAX_SHARDS + ", but was " + count);
            }
            shards = Checks.once("shards", shards, count);
            return this;
        }

        /**
         * @param value codec for object payloads; defaults to {@link EventCodec#json()}
         * @return this builder
         */
        public Builder codec(EventCodec value) {
            codec = Checks.once("codec", codec, Objects.requireNonNull(value, "codec"));
            return this;
        }

        /**
         * @param value source of {@code created_at}; defaults to {@link Clock#system()}
         * @return this builder
         */
        public Builder clock(Clock value) {
            clock = Checks.once("clock", clock, Objects.requireNonNull(value, "clock"));
            return this;
        }

        /**
         * PostgreSQL only: per key, relay rows in exactly the order in which their transactions committed
         * (without it, in id order, which is the order the ids were drawn). At commit, a deferred trigger takes
         * a lock on each shard the transaction appended to and stamps its rows with a commit sequence number;
         * the relay reads a shard in that order. Needs the strict-order migration ({@link JdbcOutbox#ddl()} and
         * {@link JdbcOutbox#createSchema()} include it). The price: commits of transactions appending to the same
         * shard are serialised (each holds the shard's lock for the last moment of its commit), and every row is
         * written twice. Defaults to {@code false}.
         *
         * @param strict whether to relay in commit order per key
         * @return this builder
         */
        public Builder strictOrder(boolean strict) {
            strictOrder = Checks.once("strictOrder", strictOrder, strict);
            return this;
        }

        /**
         * @param keep mark published rows instead of deleting them, so they can be inspected until purged
         *        (see {@link io.eventcore.outbox.OutboxPublisher.Builder#publishedRetention}). Defaults to
         *        {@code false}.
         * @return this builder
         */
        public Builder keepPublished(boolean keep) {
            keepPublished = Checks.once("keepPublished", keepPublished, keep);
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
            notifications = Checks.once("notifications", notifications, enabled);
            return this;
        }

        /**
         * @return the outbox
         * @throws IllegalStateException if a PostgreSQL-only option is set for another dialect
         * @throws EventcoreException if the dialect must be detected and the database is unreachable
         */
        public JdbcOutbox build() {
            Dialect d = dialect != null ? dialect : Dialect.detect(dataSource, "outbox");
            if (Boolean.TRUE.equals(strictOrder) && d != Dialect.POSTGRESQL) {
                throw new IllegalStateException("strictOrder needs PostgreSQL, but the dialect is " + d);
            }
            if (Boolean.TRUE.equals(notifications) && d != Dialect.POSTGRESQL) {
                throw new IllegalStateException("notifications needs PostgreSQL, but the dialect is " + d);
            }
            return new JdbcOutbox(this, d);
        }
    }
}
