package io.eventcore.examples.faults;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.jdbc.Dialect;
import io.eventcore.outbox.jdbc.JdbcInbox;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.Ordering;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;

/**
 * A consumer with a JDBC inbox in its own JVM: args {@code bootstrap topic group jdbcUrl hop deliveryLedger
 * [outboxTable]}. Each event's effect is a row of {@code faults_effects} (hop, step id, key, seq) written in the
 * inbox transaction; with an outbox table the handler also appends the step, with a deterministic event id, for
 * the next hop. Every delivery (before the inbox decides) is appended to the delivery ledger, so the duplicates
 * on the wire are counted apart from duplicate effects. With {@code -Dfaults.batch=true} the step route is a batch
 * route ({@code JdbcInbox.batchHandler}, batches of up to 100). SIGTERM closes gracefully.
 */
public final class InboxWorker {
    /** The business table every hop writes its effects to. */
    static final String EFFECTS = "faults_effects";

    private InboxWorker() {
    }

    /**
     * @param args bootstrap servers, topic, group, JDBC URL (user postgres), hop name, delivery ledger file,
     *     optionally the outbox table to forward each step to
     * @throws Exception on startup failure
     */
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        String group = args[2];
        HikariConfig pool = new HikariConfig();
        pool.setDataSource(TestDatabase.driverManager(args[3], "postgres", ""));
        pool.setMaximumPoolSize(10);
        pool.setInitializationFailTimeout(-1); // start even while the database is away
        DataSource db = new HikariDataSource(pool);
        String hop = args[4];
        OutputStream deliveries = new FileOutputStream(args[5], true);
        JdbcOutbox outbox = args.length > 6
                ? JdbcOutbox.builder(db).table(args[6]).dialect(Dialect.POSTGRESQL).build() : null;
        JdbcInbox inbox = JdbcInbox.builder(db).table("faults_inbox_" + hop).dialect(Dialect.POSTGRESQL).build();
        boolean batch = Boolean.getBoolean("faults.batch");
        EventRouter.Builder routes = EventRouter.builder()
                .middleware((event, ctx, chain) -> {
                    if (event.payload() instanceof Step s) {
                        ConsumerWorker.write(deliveries, s);
                    }
                    return chain.proceed(event, ctx);
                })
                .retry(io.eventcore.retry.RetryPolicy.fixed(Duration.ofMillis(100)).maxAttempts(50));
        if (batch) {
            // Middleware does not wrap batch calls: the ledger is written by the batch itself, before the inbox.
            var inboxBatch = inbox.<Step>batchHandler((events, ctx, connection) -> {
                for (var event : events) {
                    effect(connection, hop, outbox, event.payload());
                }
                Thread.sleep(2);
            });
            routes.routeBatch(Step.class, (events, ctx) -> {
                for (var event : events) {
                    ConsumerWorker.write(deliveries, event.payload());
                }
                inboxBatch.handle(events, ctx);
            }, options -> options.maxBatchSize(100));
        } else {
            routes.route(Step.class, inbox.handler((event, ctx, connection) -> {
                effect(connection, hop, outbox, event.payload());
                Thread.sleep(2); // simulated work, so that kills land mid-transaction too
            }));
        }
        EventRouter router = routes.build();
        KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group)
                .topics(topic).router(router).ordering(Ordering.KEY).maxConcurrency(8)
                .commitInterval(Duration.ofMillis(200))
                .properties(Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000"))
                .build();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            consumer.close(Duration.ofSeconds(10));
            router.close();
            inbox.close();
            done.countDown();
        }));
        consumer.start();
        System.out.println("inbox consumer " + group + " started" + (batch ? " (batch handler)" : ""));
        done.await();
    }

    private static void effect(Connection connection, String hop, JdbcOutbox outbox, Step s) throws Exception {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + EFFECTS
                + " (hop, step_id, k, seq) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, hop);
            insert.setString(2, s.id());
            insert.setString(3, s.key());
            insert.setInt(4, s.seq());
            insert.executeUpdate();
        }
        if (outbox != null) {
            outbox.append(connection, OutboxEvent.builder("Step", s.key()).eventId("fwd-" + s.id())
                    .payload(s).build());
        }
    }
}
