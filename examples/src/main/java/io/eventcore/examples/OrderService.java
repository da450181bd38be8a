package io.eventcore.examples;

import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.transport.EventConsumer;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.examples.Events.OrderCancelled;
import io.eventcore.examples.Events.OrderCreated;
import io.eventcore.examples.Events.OrderShipped;
import io.eventcore.examples.Events.PermanentFailure;
import io.eventcore.examples.Events.TransientFailure;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.TestDatabase;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A small order service showing every part of eventcore working together:
 * <ol>
 *   <li>each order is placed in one database transaction that writes the order row and its outbox
 *       events ({@code OrderCreated}, then {@code OrderShipped} or {@code OrderCancelled});</li>
 *   <li>the outbox relay publishes them to {@code order-events};</li>
 *   <li>a Kafka consumer dispatches them through an {@link EventRouter} with one handler per type;
 *       every tenth {@code OrderCreated} fails once (retried, then succeeds), and every hundredth
 *       order's {@code OrderCancelled} fails for good (dead-lettered to {@code order-events.dlq}).</li>
 * </ol>
 * With no options it runs on an in-JVM Kafka broker and in-memory H2, so it needs only a JDK.
 * Exits 0 only when every published event was handled or dead-lettered, 2 on invalid options.
 */
public final class OrderService {
    static final String TOPIC = "order-events";
    static final String DLQ_TOPIC = "order-events.dlq";

    private final Options options;
    private final PrintStream out;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Set<String> expected = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    private final Set<String> deadLettered = ConcurrentHashMap.newKeySet();
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    private final AtomicInteger retried = new AtomicInteger();

    private OrderService(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /**
     * @param args see {@link Options#USAGE}
     */
    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /**
     * Runs the example.
     *
     * @param args command-line options
     * @param out where progress and the summary go
     * @param err where usage errors go
     * @return 0 if every published event was handled or dead-lettered, 1 if not, 2 for invalid options
     */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.InvalidOptions e) {
            err.println("error: " + e.getMessage());
            err.println(Options.USAGE);
            return 2;
        }
        try {
            return new OrderService(options, out).run();
        } catch (Exception e) {
            err.println("order service failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    private int run() throws Exception {
        long started = System.nanoTime();
        String bootstrap = options.bootstrapServers() != null ? options.bootstrapServers() : startEmbeddedKafka();
        createTopics(bootstrap);
        DataSource db = options.jdbcUrl() != null
                ? TestDatabase.driverManager(options.jdbcUrl(), options.jdbcUser(), options.jdbcPassword())
                : TestDatabase.driverManager("jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1", "sa", "");
        out.println("database: " + (options.jdbcUrl() != null ? options.jdbcUrl() : "in-memory H2"));
        createOrdersTable(db);
        JdbcOutbox outbox = JdbcOutbox.builder(db).build();
        outbox.createSchema();

        out.printf("ready in %.1f s (broker, topics, schema); placing %d orders%n", (System.nanoTime() - started) / 1e9,
                options.orders());
        try (KafkaEventPublisher kafka = KafkaEventPublisher.builder().bootstrapServers(bootstrap).topic(TOPIC).build();
                KafkaDeadLetterSink dlq = KafkaDeadLetterSink.builder().bootstrapServers(bootstrap).build();
                OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(kafka).build();
                EventRouter router = router(dlq);
                EventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap)
                        .groupId("order-service").topics(TOPIC).router(router).ordering(Ordering.KEY)
                        .maxConcurrency(8).properties(Map.of("auto.offset.reset", "earliest")).build()) {
            relay.start();
            consumer.start();
            long firstPublish = System.nanoTime(); // throughput counts from here, not from the broker's start
            placeOrders(outbox, relay, firstPublish);
            boolean complete = awaitCompletion(relay, firstPublish);
            double seconds = (System.nanoTime() - firstPublish) / 1e9;
            printSummary(relay.status().published(), seconds, (firstPublish - started) / 1e9);
            outbox.close();
            return complete ? 0 : 1;
        } finally {
            if (options.bootstrapServers() == null) {
                EmbeddedKafka.stop();
            }
        }
    }

    private String startEmbeddedKafka() {
        out.println("kafka: starting an in-JVM KRaft broker (pass --bootstrap-servers to use your own)");
        return EmbeddedKafka.bootstrapServers();
    }

    private static void createTopics(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            for (NewTopic topic : List.of(new NewTopic(TOPIC, Optional.of(6), Optional.empty()),
                    new NewTopic(DLQ_TOPIC, Optional.of(1), Optional.empty()))) {
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }

    private static void createOrdersTable(DataSource db) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS example_orders (id VARCHAR(40) PRIMARY KEY,"
                    + " customer VARCHAR(64) NOT NULL, total DECIMAL(12, 2) NOT NULL, status VARCHAR(16) NOT NULL)");
        }
    }

    private EventRouter router(DeadLetterSink dlq) {
        DeadLetterSink counting = letter -> {
            dlq.accept(letter);
            deadLettered.add(letter.eventId());
        };
        return EventRouter.builder()
                .route(OrderCreated.class, (event, ctx) -> {
                    int n = number(event.payload().orderId());
                    if (n % 10 == 3 && failedOnce.add(event.id())) {
                        retried.incrementAndGet();
                        throw new TransientFailure("inventory service timed out for " + event.payload().orderId());
                    }
                    handledOnce(event.id());
                })
                .route(OrderShipped.class, (event, ctx) -> handledOnce(event.id()))
                .route(OrderCancelled.class, (event, ctx) -> {
                    if (number(event.payload().orderId()) % 100 == 0) {
                        throw new PermanentFailure("refund rejected for " + event.payload().orderId());
                    }
                    handledOnce(event.id());
                })
                .retry(RetryPolicy.exponential(Duration.ofMillis(50), Duration.ofSeconds(1)).maxAttempts(3))
                .deadLetter(counting)
                .build();
    }

    private void handledOnce(String eventId) {
        handled.computeIfAbsent(eventId, id -> new AtomicInteger()).incrementAndGet();
    }

    private static int number(String orderId) {
        return Integer.parseInt(orderId.substring(orderId.lastIndexOf('-') + 1));
    }

    private void placeOrders(JdbcOutbox outbox, OutboxPublisher relay, long firstPublish) {
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (int n = 0; n < options.orders(); n++) {
            if (System.nanoTime() >= nextProgress) {
                progress("placed " + n + "/" + options.orders() + " orders", relay, firstPublish);
                nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            }
            int i = n;
            String id = "order-" + run + "-" + i;
            BigDecimal total = BigDecimal.valueOf(1000 + (i * 37L) % 9000, 2);
            boolean cancelled = i % 4 == 0;
            List<OutboxEvent> events = new ArrayList<>(2);
            events.add(OutboxEvent.of("Order", id, new OrderCreated(id, "customer-" + (i % 50), total)));
            events.add(cancelled ? OutboxEvent.of("Order", id, new OrderCancelled(id, "customer request"))
                    : OutboxEvent.of("Order", id, new OrderShipped(id, i % 2 == 0 ? "DHL" : "UPS")));
            events.forEach(e -> expected.add(e.eventId()));
            outbox.inTransaction(c -> {
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO example_orders (id, customer, total, status) VALUES (?, ?, ?, ?)")) {
                    insert.setString(1, id);
                    insert.setString(2, "customer-" + (i % 50));
                    insert.setBigDecimal(3, total);
                    insert.setString(4, cancelled ? "CANCELLED" : "SHIPPED");
                    insert.executeUpdate();
                }
                outbox.append(c, events);
                return null;
            });
        }
        out.printf("placed %d orders (%d events in the outbox)%n", options.orders(), expected.size());
    }

    private int accountedFor() {
        Set<String> done = new HashSet<>(handled.keySet());
        done.addAll(deadLettered);
        done.retainAll(expected);
        return done.size();
    }

    private void progress(String placing, OutboxPublisher relay, long firstPublish) {
        out.printf("  %5.1f s  %s, published %d/%d, handled %d, retried %d, dead-lettered %d%n",
                (System.nanoTime() - firstPublish) / 1e9, placing, relay.status().published(), expected.size(),
                handled.size(), retried.get(), deadLettered.size());
    }

    private boolean awaitCompletion(OutboxPublisher relay, long firstPublish) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + options.orders() / 50L);
        long nextProgress = 0;
        // The relay counts a row as published once its shard is settled, which may be after the consumer
        // handled it: wait for both, so that the summary's counts are final.
        while ((accountedFor() < expected.size() || relay.status().published() < expected.size())
                && System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextProgress) {
                progress("all orders placed", relay, firstPublish);
                nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            }
            TimeUnit.MILLISECONDS.sleep(20); // progress display cadence, not synchronisation
        }
        return accountedFor() == expected.size();
    }

    private void printSummary(long published, double seconds, double startup) {
        int duplicates = handled.values().stream().mapToInt(c -> c.get() - 1).sum();
        String line = "+----------------------+------------+";
        out.println(line);
        row("orders", String.valueOf(options.orders()));
        row("events published", String.valueOf(published));
        row("handled", String.valueOf(handled.size()));
        row("retried", String.valueOf(retried.get()));
        row("dead-lettered", String.valueOf(deadLettered.size()));
        row("duplicates", String.valueOf(duplicates));
        row("start-up", String.format("%.1f s", startup));
        row("first publish to end", String.format("%.1f s", seconds));
        row("events/s", String.format("%.0f", expected.size() / seconds));
        out.println(line);
        int missing = expected.size() - accountedFor();
        out.println(missing == 0 ? "OK: every published event was handled or dead-lettered"
                : "FAILED: " + missing + " events were neither handled nor dead-lettered");
    }

    private void row(String name, String value) {
        out.printf("| %-20s | %10s |%n", name, value);
    }
}
