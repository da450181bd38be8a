package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.TopicNaming;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JDBC inbox on PostgreSQL behind real Kafka consumers: one effect per event, whatever the wire does. */
class InboxKafkaIT {
    record Payment(String orderId, long cents) {
    }

    record ShipmentRequested(String orderId) {
    }

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private DataSource db;

    @BeforeEach
    void setUp() throws SQLException {
        db = TestDatabase.postgres().dataSource();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS ec_inbox_kafka_effects (hop VARCHAR(20), order_id VARCHAR(100))");
            s.execute("DELETE FROM ec_inbox_kafka_effects");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        closeAfter.add(resource);
        return resource;
    }

    private JdbcInbox inbox(String table) {
        JdbcInbox inbox = closing(JdbcInbox.builder(db).table(table).build());
        inbox.createSchema();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM " + table);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return inbox;
    }

    private static void effect(Connection c, String hop, String orderId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO ec_inbox_kafka_effects (hop, order_id) VALUES (?, ?)")) {
            s.setString(1, hop);
            s.setString(2, orderId);
            s.executeUpdate();
        }
    }

    private List<String> effects(String hop) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT order_id FROM ec_inbox_kafka_effects WHERE hop = ?")) {
            s.setString(1, hop);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    private KafkaEventConsumer consumer(String group, String topic, EventRouter router, Duration drain) {
        KafkaEventConsumer c = closing(KafkaEventConsumer.builder().bootstrapServers(EmbeddedKafka.bootstrapServers())
                .groupId(group).topics(topic).router(router).commitInterval(Duration.ofMillis(100))
                .drainTimeout(drain).build());
        c.start();
        return c;
    }

    /** A key that the default partitioner puts on the given partition of a topic with {@code partitions}. */
    private static String keyOn(int partition, int partitions) {
        for (int i = 0; ; i++) {
            String key = "order-" + i;
            if (Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions == partition) {
                return key;
            }
        }
    }

    @Test
    void sameEvent_deliveredToTwoConsumersOfOneGroupAroundARebalance_hasOneEffect() throws Exception {
        String topic = "inbox-rebalance-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(2, topic);
        JdbcInbox inbox = inbox("ec_inbox_rebalance");
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        AtomicInteger total = new AtomicInteger();
        // The first consumer's transactions stay open until a second delivery of one of its events has
        // begun: the rebalance hands a partition over while its event is still being processed.
        EventRouter router = closing(EventRouter.builder()
                .middleware((event, ctx, chain) -> {
                    deliveries.computeIfAbsent(event.id(), k -> new AtomicInteger()).incrementAndGet();
                    total.incrementAndGet();
                    return chain.proceed(event, ctx);
                })
                .route(Payment.class, inbox.handler((event, ctx, connection) -> {
                    effect(connection, "payments", event.payload().orderId());
                    await().atMost(Duration.ofSeconds(60)).until(() -> total.get() >= 3);
                }))
                .build());
        consumer("payments", topic, router, Duration.ofMillis(500));
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().bootstrapServers(EmbeddedKafka.bootstrapServers())
                .topic(topic).build()) {
            for (int p = 0; p < 2; p++) {
                String key = keyOn(p, 2);
                publisher.publish(Event.of(key, new Payment(key, 100))).toCompletableFuture().join();
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> total.get() >= 2);
        consumer("payments", topic, router, Duration.ofMillis(500)); // joins: one partition moves over

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(total.get()).as("deliveries").isGreaterThanOrEqualTo(3);
            assertThat(inbox.duplicatesSkipped()).isEqualTo(total.get() - 2L);
        });
        assertThat(effects("payments")).hasSize(2).doesNotHaveDuplicates();
        assertThat(deliveries.values()).anyMatch(n -> n.get() >= 2);
    }

    @Test
    void twoHops_consumerInboxOutbox_relay_consumerInbox_haveOneEffectEachWithDuplicatesOnTheWire() throws Exception {
        String orders = "inbox-orders-" + UUID.randomUUID();
        String shipments = "inbox-shipments-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(6, orders, shipments);
        JdbcOutbox outbox = closing(JdbcOutbox.builder(db).table("ec_inbox_hop_outbox").build());
        outbox.createSchema();
        io.eventcore.test.TestDatabase.emptyOutbox(db, "ec_inbox_hop_outbox");
        JdbcInbox first = inbox("ec_inbox_hop1");
        JdbcInbox second = inbox("ec_inbox_hop2");
        String bootstrap = EmbeddedKafka.bootstrapServers();

        EventRouter billing = closing(EventRouter.builder().route(Payment.class, first.handler((event, ctx, c) -> {
            effect(c, "billing", event.payload().orderId());
            outbox.append(c, OutboxEvent.of("Order", event.key(), new ShipmentRequested(event.payload().orderId())));
        })).build());
        EventRouter shipping = closing(EventRouter.builder().route(ShipmentRequested.class, second.handler((event, ctx, c) ->
                effect(c, "shipping", event.payload().orderId()))).build());
        consumer("billing", orders, billing, Duration.ofSeconds(5));
        consumer("shipping", shipments, shipping, Duration.ofSeconds(5));
        KafkaEventPublisher relayPublisher = closing(KafkaEventPublisher.builder().bootstrapServers(bootstrap)
                .topic(shipments).build());
        OutboxPublisher relay = OutboxPublisher.builder().relayId("hop-relay").store(outbox.store())
                .publisher(relayPublisher).topicNaming(TopicNaming.fixed(shipments))
                .maxPollInterval(Duration.ofMillis(100)).build();
        relay.start();
        closeAfter.add(() -> relay.close(Duration.ofSeconds(5)));

        int n = 200;
        List<Event<Payment>> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "o-" + i;
            events.add(new Event<>("pay-" + i, "Payment", "key-" + (i % 20), Instant.now(), Map.of(), new Payment(id, i)));
        }
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().bootstrapServers(bootstrap).topic(orders)
                .build()) {
            publisher.publishAll(events).toCompletableFuture().join();
            publisher.publishAll(events).toCompletableFuture().join(); // every event twice on the wire
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(first.duplicatesSkipped()).isEqualTo(n);
            assertThat(effects("shipping")).hasSize(n);
        });
        assertThat(effects("billing")).hasSize(n).doesNotHaveDuplicates();
        assertThat(effects("shipping")).doesNotHaveDuplicates();
        assertThat(second.duplicatesSkipped()).isZero();
    }
}
