package io.eventcore.outbox.jdbc;

import io.eventcore.Clock;
import io.eventcore.BatchHandler;
import io.eventcore.EventHandler;
import io.eventcore.EventcoreException;
import io.eventcore.inbox.Inbox;
import io.eventcore.inbox.InboxBatchHandler;
import io.eventcore.inbox.InboxHandler;
import io.eventcore.inbox.InboxStore;
import io.eventcore.internal.Checks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC inbox: exactly-once effects for handlers whose effects live in the same database. For
 * each delivery it opens one transaction on the data source, records (consumer group, event id) in
 * the inbox table, whose primary key makes a second record of the pair impossible, runs the handler
 * with that transaction's {@link Connection}, and commits; the consumer commits the offset after
 * the handler returns. A redelivered event (a crash before the offset commit, a rebalance, a retry topic) finds
 * its record and is {@link io.eventcore.routing.DispatchOutcome#SKIPPED} without running the handler. A handler
 * failure rolls everything back, the record included, and the router's retry and dead-letter policies apply as
 * usual. {@link #batchHandler} does the same for a whole batch in one transaction.
 *
 * <pre>{@code
 * JdbcInbox inbox = JdbcInbox.builder(dataSource).outbox(outbox).build();
 * EventRouter router = EventRouter.builder()
 *     .route(OrderPlaced.class, inbox.handler((event, ctx, connection) -> {
 *         reserveStock(connection, event.payload());                                   // business rows
 *         outbox.append(connection, OutboxEvent.of("Order", id, new StockReserved(id)));  // follow-up event
 *     }))
 *     .build();
 * }</pre>
 *
 * <p><b>A transaction the application manages</b> (Spring's {@code @Transactional}, say): call
 * {@link #record(Connection, String, String)} first thing on the transaction's connection and return
 * (or throw {@link io.eventcore.SkipEventException}) when it answers {@code false}.
 *
 * <p>Records are kept for the {@link Builder#retention retention} (7 days by default) and purged in batches by a
 * daemon thread; a redelivery of an older event is not recognised. Keys are the message's consumer group and
 * {@link io.eventcore.Event#id()} (the {@code event_id} header), at most 255 characters each. Connections are
 * borrowed per delivery (or batch) and returned. Thread-safe.
 */
public final class JdbcInbox implements InboxStore<Connection>, AutoCloseable {
    /** Default table name: {@value}. */
    public static final String DEFAULT_TABLE = "eventcore_inbox";
    /** Default retention of records: 7 days. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    /** Default interval of the purge: 10 minutes. */
    public static final Duration DEFAULT_PURGE_INTERVAL = Duration.ofMinutes(10);
    /** Default number of records one purge statement deletes: {@value}. */
    public static final int DEFAULT_PURGE_BATCH = 1_000;
    /** Longest consumer group or event id, in characters: {@value}. */
    public static final int MAX_ID_LENGTH = 255;
    private static final Logger log = LoggerFactory.getLogger(JdbcInbox.class);

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String table;
    private final InboxSql sql;
    private final Clock clock;
    private final Duration retention;
    private final int purgeBatch;
    private final JdbcOutbox outbox;
    private final Inbox<Connection> inbox;
    private final ScheduledExecutorService purger;

    private JdbcInbox(Builder b, Dialect dialect) {
        this.dataSource = b.dataSource;
        this.dialect = dialect;
        this.table = b.table != null ? b.table : DEFAULT_TABLE;
        this.sql = InboxSql.of(dialect, table);
        this.clock = b.clock != null ? b.clock : Clock.system();
        this.retention = b.retention != null ? b.retention : DEFAULT_RETENTION;
        this.purgeBatch = b.purgeBatch != null ? b.purgeBatch : DEFAULT_PURGE_BATCH;
        this.outbox = b.outbox;
        this.inbox = b.consumerGroup != null ? Inbox.of(this, b.consumerGroup) : Inbox.of(this);
        Duration every = b.purgeInterval != null ? b.purgeInterval : DEFAULT_PURGE_INTERVAL;
        this.purger = every.isZero() ? null : startPurger(every);
    }

    private ScheduledExecutorService startPurger(Duration every) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "eventcore-inbox-purge-" + table);
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(() -> {
            try {
                int purged = purgeExpired();
                if (purged > 0) {
                    log.debug("purged {} inbox records older than {} from {}", purged, retention, table);
                }
            } catch (RuntimeException e) {
                log.warn("could not purge the inbox table {}: {}", table, e.toString());
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return s;
    }

    /**
     * @param dataSource where the inbox table is: the one the handlers' business tables (and the
     *        outbox) are in
     * @return a builder
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Wraps a batch handler: a batch's new events recorded and handled in one transaction ({@link Inbox#batchHandler}).
     *
     * @param handler the effects of the new events, written on the transaction's connection
     * @param <T> payload type
     * @return a handler for {@code EventRouter.Builder.routeBatch}
     */
    public <T> BatchHandler<T> batchHandler(InboxBatchHandler<T, Connection> handler) {
        return inbox.batchHandler(handler);
    }

    // One transaction per batch (see InboxBatch); a concurrent recording of one id may fail it (rolled back).
    @Override
    public int processBatchOnce(String group, List<String> eventIds, BatchWork<Connection> work) throws Exception {
        eventIds.forEach(id -> checkIds(group, id));
        int fresh = InboxBatch.process(dataSource, dialect, table, group, eventIds, clock.now().toEpochMilli(),
                work);
        if (fresh > 0 && outbox != null) {
            outbox.committed();
        }
        return fresh;
    }

    /**
     * Wraps a handler so that its effects happen once per consumer group and event id (see the class description).
     * Duplicates are counted in {@link #duplicatesSkipped()} and logged at DEBUG.
     *
     * @param handler the effects, written on the transaction's connection
     * @param <T> payload type
     * @return a handler for {@code EventRouter.Builder.route}
     */
    public <T> EventHandler<T> handler(InboxHandler<T, Connection> handler) {
        return inbox.handler(handler);
    }

    /** @return how many deliveries {@link #handler handlers} of this inbox skipped as duplicates */
    public long duplicatesSkipped() {
        return inbox.duplicatesSkipped();
    }

    @Override
    public boolean processOnce(String consumerGroup, String eventId, Work<Connection> work) throws Exception {
        checkIds(consumerGroup, eventId);
        Objects.requireNonNull(work, "work");
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            }
            try {
                if (!sql.insertRetryingDeadlocks(c, consumerGroup, eventId, clock.now().toEpochMilli())) {
                    c.rollback();
                    restore(c, autoCommit);
                    return false;
                }
                work.run(c);
                c.commit();
            } catch (Throwable t) { // an Error too: never let the auto-commit restore commit half-done work
                Transactions.rollbackAfter(c, t, autoCommit);
                throw t;
            }
            restore(c, autoCommit);
        }
        if (outbox != null) {
            outbox.committed();
        }
        return true;
    }

    private static void restore(Connection c, boolean autoCommit) throws SQLException {
        if (autoCommit) {
            c.setAutoCommit(true); // nothing is pending: the transaction ended
        }
    }

    /**
     * Records that a consumer group processed an event, in the caller's transaction: for handlers
     * whose transaction the application manages. Call it before the handler's writes; when it answers
     * {@code false}, the event was processed before (or is being processed by a transaction that then
     * committed), so write nothing. Rolling the caller's transaction back removes the record.
     *
     * @param connection the transaction's connection, auto-commit off
     * @param consumerGroup the consumer group, not blank, at most 255 characters
     * @param eventId the event id, not blank, at most 255 characters
     * @return {@code true} if recorded now, {@code false} if it was recorded before
     * @throws EventcoreException wrapping the {@link SQLException} if the insert fails
     * @throws IllegalArgumentException if an id is blank or too long
     */
    public boolean record(Connection connection, String consumerGroup, String eventId) {
        checkIds(consumerGroup, eventId);
        try {
            return sql.insert(Objects.requireNonNull(connection, "connection"), consumerGroup, eventId,
                    clock.now().toEpochMilli());
        } catch (SQLException e) {
            throw new EventcoreException("could not record event " + eventId + " in the inbox table " + table
                    + ": " + e.getMessage(), e);
        }
    }

    private static void checkIds(String consumerGroup, String eventId) {
        checkId("consumerGroup", consumerGroup);
        checkId("eventId", eventId);
    }

    private static void checkId(String name, String value) {
        Checks.notBlank(name, value);
        if (value.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_ID_LENGTH + " characters, but was "
                    + value.length());
        }
    }

    @Override
    public int purgeProcessedBefore(Instant cutoff, int limit) {
        Objects.requireNonNull(cutoff, "cutoff");
        Checks.atLeast("limit", limit, 1);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.purge())) {
            c.setAutoCommit(true);
            s.setLong(1, cutoff.toEpochMilli());
            s.setInt(2, limit);
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new EventcoreException("could not purge the inbox table " + table + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes every record older than the retention, one batch per statement, until a batch comes
     * back short. The daemon purge calls it every purge interval.
     *
     * @return how many records were deleted
     * @throws EventcoreException if a delete fails
     */
    public int purgeExpired() {
        Instant cutoff = clock.now().minus(retention);
        int total = 0;
        int deleted;
        do {
            deleted = purgeProcessedBefore(cutoff, purgeBatch);
            total += deleted;
        } while (deleted == purgeBatch);
        return total;
    }

    /** @return the DDL of the inbox table for this dialect and table name (version 2 of the migrations) */
    public String ddl() {
        return InboxSql.ddl(dialect, table);
    }

    /**
     * Creates the inbox table and its index if they do not exist. For quick starts and tests;
     * production schemas are migrated with the dialect's {@code V2__eventcore_inbox.sql}, in
     * {@link Dialect#inboxMigrationLocation()}.
     *
     * @throws EventcoreException if a statement fails
     */
    public void createSchema() {
        JdbcSchema.run(dataSource, ddl(), "inbox", table);
    }

    /** Stops the daemon purge. Handlers keep working; closing twice is harmless. */
    @Override
    public void close() {
        if (purger != null) {
            purger.shutdownNow();
        }
    }

    /**
     * Builds a {@link JdbcInbox}. Each setting may be given once ({@link IllegalStateException}
     * naming it otherwise); invalid values throw {@link IllegalArgumentException} naming the setting.
     * Not thread-safe.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private Dialect dialect;
        private String table;
        private Duration retention;
        private Duration purgeInterval;
        private Integer purgeBatch;
        private Clock clock;
        private JdbcOutbox outbox;
        private String consumerGroup;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * @param value the database dialect; detected from the first connection when not set
         * @return this builder
         */
        public Builder dialect(Dialect value) {
            this.dialect = Checks.once("dialect", dialect, Objects.requireNonNull(value, "dialect"));
            return this;
        }

        /**
         * @param name the inbox table, optionally schema-qualified; defaults to {@value JdbcInbox#DEFAULT_TABLE}
         * @return this builder
         */
        public Builder table(String name) {
            this.table = Checks.once("table", table, JdbcSchema.checkTableName(name));
            return this;
        }

        /**
         * @param value how long records are kept, &gt; 0; defaults to 7 days. A redelivery of an event
         *        processed longer ago is not recognised.
         * @return this builder
         */
        public Builder retention(Duration value) {
            this.retention = Checks.once("retention", retention, Checks.positive("retention", value));
            return this;
        }

        /**
         * @param value how often the daemon purge runs, &gt;= 0 ({@link Duration#ZERO}: never; call
         *        {@link JdbcInbox#purgeExpired()} yourself); defaults to 10 minutes
         * @return this builder
         */
        public Builder purgeInterval(Duration value) {
            Objects.requireNonNull(value, "purgeInterval");
            if (value.isNegative()) {
                throw new IllegalArgumentException("purgeInterval must be >= 0, but was " + value);
            }
            this.purgeInterval = Checks.once("purgeInterval", purgeInterval, value);
            return this;
        }

        /**
         * @param size records one purge statement deletes, &gt;= 1; defaults to {@value JdbcInbox#DEFAULT_PURGE_BATCH}
         * @return this builder
         */
        public Builder purgeBatchSize(int size) {
            this.purgeBatch = Checks.once("purgeBatchSize", purgeBatch, Checks.atLeast("purgeBatchSize", size, 1));
            return this;
        }

        /**
         * @param source when records are made and what the retention is measured against; defaults to
         *        the system clock
         * @return this builder
         */
        public Builder clock(Clock source) {
            this.clock = Checks.once("clock", clock, Objects.requireNonNull(source, "clock"));
            return this;
        }

        /**
         * @param local the outbox the handlers append to: its local relay is woken after each commit,
         *        for the lowest latency of follow-up events; optional
         * @return this builder
         */
        public Builder outbox(JdbcOutbox local) {
            this.outbox = Checks.once("outbox", outbox, Objects.requireNonNull(local, "outbox"));
            return this;
        }

        /**
         * @param group the group recorded for messages that name none (a router used without a Kafka
         *        consumer); by default such a message fails, non-retryably
         * @return this builder
         */
        public Builder consumerGroup(String group) {
            this.consumerGroup = Checks.once("consumerGroup", consumerGroup, Checks.notBlank("consumerGroup", group));
            return this;
        }

        /**
         * @return the inbox; its daemon purge starts now unless the interval is zero
         * @throws EventcoreException if the dialect must be detected and the database is unreachable
         */
        public JdbcInbox build() {
            return new JdbcInbox(this, dialect != null ? dialect : Dialect.detect(dataSource, "inbox"));
        }
    }
}
