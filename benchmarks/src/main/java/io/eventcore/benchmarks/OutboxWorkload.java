package io.eventcore.benchmarks;

import io.eventcore.transport.TopicNaming;
import io.eventcore.codec.EventCodec;
import io.eventcore.EventHeaders;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.test.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * (d) The outbox relay, PostgreSQL to Kafka with per-key order on: throughput against a naive relay
 * (select pending, {@code send().get()} per row, delete per row), and commit-to-consume latency at a
 * moderate steady load with wake-ups on and off.
 */
final class OutboxWorkload {
    private static final String TABLE = "bench_outbox";
    private static final int ALTERNATIONS = 5;
    private final String bootstrap;
    private final String jdbcUrl;
    private final int events;
    private final int latencySeconds;
    private final boolean mariadb;
    private final String topic;

    private final boolean pooled;

    /**
     * @param database {@code postgres} or {@code mariadb} (the MariaDB at 127.0.0.1:3306, database test, root)
     * @param latencySeconds paced latency run per mode; 0 measures throughput only
     * @param pooled whether the outbox gets a HikariCP pool (as the README asks) or a connection per operation
     */
    OutboxWorkload(String bootstrap, String jdbcUrl, String database, int events, int latencySeconds,
            boolean pooled) {
        this.pooled = pooled;
        this.bootstrap = bootstrap;
        this.jdbcUrl = jdbcUrl;
        this.events = events;
        this.latencySeconds = latencySeconds;
        this.mariadb = "mariadb".equals(database);
        this.topic = mariadb ? "bench-outbox-mariadb" : "bench-outbox";
    }

    void run(Results results) throws Exception {
        String name = mariadb ? "MariaDB" : "PostgreSQL";
        DataSource db;
        Object where;
        if (mariadb) {
            TestDatabase maria = TestDatabase.mariadb();
            db = maria.dataSource();
            where = maria;
        } else {
            db = jdbcUrl != null ? TestDatabase.driverManager(jdbcUrl, "postgres", "")
                    : TestDatabase.postgres().dataSource();
            where = jdbcUrl != null ? jdbcUrl : TestDatabase.postgres();
        }
        System.out.printf("%n(d) outbox: %s (%s, %s) to Kafka, %,d events of 1.2 KB over 500 keys%n", name, where,
                pooled ? "HikariCP pool of 8" : "a connection per operation", events);
        if (pooled) {
            com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
            config.setDataSource(db);
            config.setMaximumPoolSize(8);
            config.setPoolName("bench-outbox");
            try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config)) {
                run(results, name, pool);
            }
        } else {
            run(results, name, db);
        }
    }

    private void run(Results results, String name, DataSource db) throws Exception {
        JdbcOutbox outbox = JdbcOutbox.builder(db).table(TABLE).build();
        outbox.createSchema();
        TestDatabase.emptyOutbox(db, TABLE);
        Kafka.createTopic(bootstrap, topic, 12);
        try (KafkaEventPublisher kafka = KafkaEventPublisher.builder().bootstrapServers(bootstrap)
                .topic(topic).build()) {
            // The default relay (transactional: one Kafka transaction per shard pass) and the same relay without
            // transactions, on the same store and publisher.
            OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(kafka)
                    .topicNaming(TopicNaming.fixed(topic)).build();
            OutboxPublisher plain = OutboxPublisher.builder().store(outbox.store()).publisher(kafka)
                    .topicNaming(TopicNaming.fixed(topic)).transactional(false).build();
            // Warm-up, twice the measured volume: the relays, the producer and the broker's JVM compile their paths
            // before anything is timed (one round left the first alternation a third slower than the rest).
            for (int w = 0; w < 2; w++) {
                vacuum(db);
                fill(outbox, events);
                relay.publishPending();
                vacuum(db);
                fill(outbox, events);
                plain.publishPending();
                producerAlone(kafka, events);
            }
            // Alternations: transactional relay, non-transactional relay, the publisher alone, five times; medians,
            // so no side gets the warmer machine.
            double[] relayRates = new double[ALTERNATIONS];
            double[] plainRates = new double[ALTERNATIONS];
            double[] aloneRates = new double[ALTERNATIONS];
            for (int a = 0; a < ALTERNATIONS; a++) {
                relayRates[a] = drain(db, outbox, relay, name + " transactional relay");
                plainRates[a] = drain(db, outbox, plain, name + " non-transactional relay");
                aloneRates[a] = producerAlone(kafka, events);
            }
            double ours = median(relayRates);
            double nonTransactional = median(plainRates);
            double ceiling = median(aloneRates);
            results.add("outbox transactional relay (" + name + ") against the non-transactional relay", ours,
                    "events/s", "same relay, transactional(false)", nonTransactional, true);
            // The naive relay runs at a few hundred rows per second: 2,000 rows give its rate.
            int naiveRows = Math.min(events, 2_000);
            fill(outbox, naiveRows);
            double naive = naive(db, naiveRows);
            TestDatabase.emptyOutbox(db, TABLE);
            results.add("outbox relay throughput (" + name + ", per-key order)", ours, "events/s",
                    "naive relay: send().get() per row", naive, true);
            results.add("outbox relay throughput (" + name + ") against the publisher alone", ours, "events/s",
                    "same publisher, same records from memory, no database", ceiling, true);
            if (latencySeconds == 0) {
                return;
            }

            Latency on = latency(outbox, outbox, kafka, "wake-ups on");
            JdbcOutbox other = JdbcOutbox.builder(db).table(TABLE).build();
            Latency off = latency(outbox, other, kafka, "wake-ups off");
            other.close();
            results.add("outbox commit-to-consume p50, wake-ups on", on.p50, "ms");
            results.add("outbox commit-to-consume p99, wake-ups on", on.p99, "ms");
            results.add("outbox commit-to-consume p50, wake-ups off (1 s max poll)", off.p50, "ms");
            results.add("outbox commit-to-consume p99, wake-ups off (1 s max poll)", off.p99, "ms");
        } finally {
            outbox.close();
        }
    }

    /** Fills the outbox with the measured volume and times one relay draining it. */
    private double drain(DataSource db, JdbcOutbox outbox, OutboxPublisher relay, String label) throws Exception {
        vacuum(db);
        fill(outbox, events);
        long start = System.nanoTime();
        int published = relay.publishPending();
        double rate = published / ((System.nanoTime() - start) / 1e9);
        System.out.printf("  %s: %,d events in %.1f s, %,.0f events/s%n", label, published, published / rate, rate);
        return rate;
    }

    private static void fill(JdbcOutbox outbox, int count) {
        byte[] payload = Payloads.json(EventCodec.json(), "order", 1);
        for (int from = 0; from < count; from += 500) {
            List<OutboxEvent> tx = new ArrayList<>(500);
            for (int i = from; i < Math.min(count, from + 500); i++) {
                tx.add(OutboxEvent.builder("Order", "key-" + (i % 500)).rawPayload("OrderPlaced", payload).build());
            }
            outbox.inTransaction(c -> {
                outbox.append(c, tx);
                return null;
            });
        }
    }

    /**
     * The broker-side ceiling of the relay: the same publisher sends the same number of records (the rows'
     * payload, key and headers as the relay builds them) from memory, 8,000 in flight at a time as one
     * relay pass holds them, and awaits each window's acknowledgements.
     */
    private double producerAlone(KafkaEventPublisher kafka, int count) {
        byte[] payload = Payloads.json(EventCodec.json(), "order", 1);
        int window = 8_000;
        long start = System.nanoTime();
        for (int from = 0; from < count; from += window) {
            List<java.util.concurrent.CompletableFuture<?>> acks = new ArrayList<>(window);
            for (int i = from; i < Math.min(count, from + window); i++) {
                String key = "key-" + (i % 500);
                acks.add(kafka.send(new io.eventcore.transport.OutboundMessage(topic, key, payload, List.of(
                        io.eventcore.MessageHeader.of(EventHeaders.EVENT_TYPE, "OrderPlaced"),
                        io.eventcore.MessageHeader.of(EventHeaders.EVENT_ID, java.util.UUID.randomUUID().toString()),
                        io.eventcore.MessageHeader.of(EventHeaders.AGGREGATE_TYPE, "Order"))))
                        .toCompletableFuture());
            }
            java.util.concurrent.CompletableFuture.allOf(acks.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .join();
        }
        double rate = count / ((System.nanoTime() - start) / 1e9);
        System.out.printf("  publisher alone: %,d records in %.1f s, %,.0f events/s%n", count, count / rate, rate);
        return rate;
    }

    /**
     * PostgreSQL: {@code VACUUM ANALYZE} of the outbox table before each run, what autovacuum (on by default)
     * does for a table emptied and refilled all day. Without it every run inherits the dead index entries and
     * stale statistics of the runs before; the PostgreSQL of this machine has autovacuum off.
     */
    private void vacuum(DataSource db) throws java.sql.SQLException {
        if (mariadb) {
            return;
        }
        try (Connection c = db.getConnection(); java.sql.Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute("VACUUM ANALYZE " + TABLE);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** What a hand-rolled relay often looks like: one row at a time, waiting for each acknowledgement. */
    private double naive(DataSource db, int count) throws Exception {
        int sent = 0;
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "enable.idempotence", "true", "acks", "all"), new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
                Connection c = db.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT id, aggregate_id, event_type, payload FROM "
                        + TABLE + " ORDER BY id LIMIT 500");
                PreparedStatement delete = c.prepareStatement("DELETE FROM " + TABLE + " WHERE id = ?")) {
            while (sent < count) {
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic,
                                rs.getString(2).getBytes(StandardCharsets.UTF_8), rs.getBytes(4));
                        r.headers().add(EventHeaders.EVENT_TYPE, rs.getString(3).getBytes(StandardCharsets.UTF_8));
                        producer.send(r).get();
                        delete.setLong(1, rs.getLong(1));
                        delete.executeUpdate();
                        sent++;
                    }
                }
            }
        }
        return sent / ((System.nanoTime() - start) / 1e9);
    }

    record Latency(double p50, double p99) {
    }

    /** Appends one event per transaction at 200 per second through {@code appender}; the relay reads through {@code relayOutbox}. */
    private Latency latency(JdbcOutbox appender, JdbcOutbox relayOutbox, KafkaEventPublisher kafka, String label)
            throws Exception {
        int rate = 200;
        int total = rate * latencySeconds;
        Map<String, Long> committedAt = new ConcurrentHashMap<>();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        String group = "outbox-latency-" + System.nanoTime();
        Thread poller = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(bootstrap, group)) {
                consumer.subscribe(List.of(topic));
                consumer.poll(Duration.ofMillis(100));
                consumer.seekToEnd(consumer.assignment());
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        Header id = r.headers().lastHeader(EventHeaders.EVENT_ID);
                        Long at = id == null ? null : committedAt.remove(new String(id.value(), StandardCharsets.UTF_8));
                        if (at != null) {
                            latencies.add(System.nanoTime() - at);
                        }
                    }
                }
            }
        });
        poller.start();
        TimeUnit.SECONDS.sleep(3); // consumer group forms before the paced run
        byte[] payload = Payloads.json(EventCodec.json(), "order", 1);
        try (OutboxPublisher relay = OutboxPublisher.builder().store(relayOutbox.store()).publisher(kafka)
                .topicNaming(TopicNaming.fixed(topic)).build()) {
            relay.start();
            long interval = TimeUnit.SECONDS.toNanos(1) / rate;
            long next = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                OutboxEvent e = OutboxEvent.builder("Order", "key-" + (i % 500)).rawPayload("OrderPlaced", payload)
                        .build();
                appender.inTransaction(c -> {
                    appender.append(c, e);
                    return null;
                });
                committedAt.put(e.eventId(), System.nanoTime());
                next += interval;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (latencies.size() < total && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        } finally {
            running.set(false);
            poller.join();
        }
        long[] sorted;
        synchronized (latencies) {
            sorted = latencies.stream().mapToLong(Long::longValue).skip(total / 10).sorted().toArray();
        }
        System.out.printf("  %s: %d of %d events measured%n", label, latencies.size(), total);
        return new Latency(sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6);
    }
}
