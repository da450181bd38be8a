package io.eventcore.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.eventcore.BatchHandler;
import io.eventcore.Event;
import io.eventcore.EventHandler;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.outbox.jdbc.JdbcInbox;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.Ordering;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * (g) The inbox's cost: the same handler (one business row per OrderPlaced event, in its own transaction on a
 * HikariCP pool) consumed with {@code KEY} order at {@code maxConcurrency} 64 from 12 partitions, once as is
 * and once wrapped by a {@link JdbcInbox} on PostgreSQL (the inbox record and the row in one transaction).
 * The figure is effects per second: committed business rows.
 */
final class InboxWorkload {
    private static final String EFFECTS = "bench_inbox_effects";
    private static final String INBOX = "bench_inbox";
    private final String bootstrap;
    private final String jdbcUrl;
    private final int events;

    InboxWorkload(String bootstrap, String jdbcUrl, int events) {
        this.bootstrap = bootstrap;
        this.jdbcUrl = jdbcUrl;
        this.events = events;
    }

    void run(Results results) throws Exception {
        DataSource db = jdbcUrl != null ? TestDatabase.driverManager(jdbcUrl, "postgres", "")
                : TestDatabase.postgres().dataSource();
        System.out.printf("%n(g) inbox: %,d events, KEY, maxConcurrency 64, 12 partitions, PostgreSQL pool of 32%n",
                events);
        HikariConfig config = new HikariConfig();
        config.setDataSource(db);
        config.setMaximumPoolSize(32);
        config.setPoolName("bench-inbox");
        try (HikariDataSource pool = new HikariDataSource(config)) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + EFFECTS + " (order_id VARCHAR(64), seq INT)");
            }
            String topic = "bench-inbox";
            Kafka.createTopic(bootstrap, topic, 12);
            Kafka.prefill(bootstrap, topic, events, 10_000);
            try (JdbcInbox inbox = JdbcInbox.builder(pool).table(INBOX).purgeInterval(Duration.ZERO).build()) {
                inbox.createSchema();
                double plain = 0;
                double wrapped = 0;
                for (int round = 0; round < 2; round++) { // the first round warms both paths
                    reset(pool);
                    plain = consume(topic, "plain-" + round, pool, plainHandler(pool));
                    reset(pool);
                    wrapped = consume(topic, "inbox-" + round, pool, inbox.handler((e, ctx, c) -> insert(c, e.payload())));
                    System.out.printf("  round %d: without the inbox %,.0f, with it %,.0f effects/s%n", round + 1, plain,
                            wrapped);
                }
                results.add("inbox: effects/s with JdbcInbox (PostgreSQL, KEY, 64)", wrapped, "effects/s",
                        "the same handler without the inbox", plain, true);
                batches(topic, pool, inbox, results);
            }
        }
    }

    /**
     * The batch inbox: a batch handler (PARTITION, batches of 100) writing its rows in one transaction, without
     * and with {@link JdbcInbox#batchHandler} (inbox records and rows in one transaction), alternated.
     */
    private void batches(String topic, DataSource pool, JdbcInbox inbox, Results results) throws Exception {
        System.out.printf("  batch handlers: PARTITION, batches of 100, maxConcurrency 64%n");
        double bare = 0;
        double wrapped = 0;
        for (int round = 0; round < 2; round++) {
            reset(pool);
            bare = consumeBatches(topic, "batch-plain-" + round, pool, (events, ctx) -> {
                try (Connection c = pool.getConnection()) {
                    c.setAutoCommit(false);
                    insertAll(c, events);
                    c.commit();
                }
            });
            reset(pool);
            wrapped = consumeBatches(topic, "batch-inbox-" + round, pool,
                    inbox.batchHandler((events, ctx, c) -> insertAll(c, events)));
            System.out.printf("  round %d: batch handler without the inbox %,.0f, with it %,.0f effects/s%n",
                    round + 1, bare, wrapped);
        }
        results.add("inbox: effects/s with JdbcInbox.batchHandler (PostgreSQL, PARTITION, batches of 100)", wrapped,
                "effects/s", "the same batch handler without the inbox", bare, true);
    }

    private static void insertAll(Connection c, List<Event<Payloads.OrderPlaced>> events) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + EFFECTS + " (order_id, seq) VALUES (?, ?)")) {
            for (Event<Payloads.OrderPlaced> e : events) {
                s.setString(1, e.payload().orderId());
                s.setInt(2, e.payload().lines().size());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private double consumeBatches(String topic, String group, DataSource pool, BatchHandler<Payloads.OrderPlaced> handler)
            throws InterruptedException {
        LongAdder handled = new LongAdder();
        EventRouter router = EventRouter.builder().retry(RetryPolicy.fixed(Duration.ofMillis(50)).maxAttempts(10))
                .routeBatch(Payloads.OrderPlaced.class, (events, c) -> {
                    handler.handle(events, c);
                    handled.add(events.size());
                }, o -> o.maxBatchSize(100)).build();
        return run(topic, group, pool, router, Ordering.PARTITION, handled);
    }

    private static EventHandler<Payloads.OrderPlaced> plainHandler(DataSource pool) {
        return (e, ctx) -> {
            try (Connection c = pool.getConnection()) {
                insert(c, e.payload());
            }
        };
    }

    private static void insert(Connection c, Payloads.OrderPlaced order) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + EFFECTS + " (order_id, seq) VALUES (?, ?)")) {
            s.setString(1, order.orderId());
            s.setInt(2, order.lines().size());
            s.executeUpdate();
        }
    }

    private static void reset(DataSource pool) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + EFFECTS);
            s.execute("TRUNCATE " + INBOX);
        }
    }

    private static long rows(DataSource pool) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + EFFECTS)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private double consume(String topic, String group, DataSource pool, EventHandler<Payloads.OrderPlaced> handler)
            throws InterruptedException {
        LongAdder handled = new LongAdder();
        EventRouter router = EventRouter.builder().retry(RetryPolicy.fixed(Duration.ofMillis(50)).maxAttempts(10))
                .route(Payloads.OrderPlaced.class, (e, c) -> {
                    handler.handle(e, c);
                    handled.increment();
                }).build();
        return run(topic, group, pool, router, Ordering.KEY, handled);
    }

    private double run(String topic, String group, DataSource pool, EventRouter router, Ordering ordering,
            LongAdder handled) throws InterruptedException {
        long start = System.nanoTime();
        try (KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group)
                .topics(topic).router(router).ordering(ordering).maxConcurrency(64).retryTopics(false)
                .properties(Map.of("auto.offset.reset", "earliest")).build()) {
            consumer.start();
            Kafka.await(handled::sum, events, Duration.ofMinutes(10), "inbox workload " + group);
            double rate = events / ((System.nanoTime() - start) / 1e9);
            long committed = rows(pool);
            if (committed != events) {
                throw new IllegalStateException(group + ": " + committed + " effects for " + events + " events");
            }
            return rate;
        } finally {
            router.close();
        }
    }
}
