package io.eventcore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.spring.boot.outbox.OutboxAppender;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.TopicNaming;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Transactional;

/**
 * The starter in a Spring Boot application on the in-JVM Kafka broker and PostgreSQL: a
 * {@code @Transactional} service writes a row and appends an event, the relay publishes it after the
 * commit, and the consumer hands it to the handler bean; a rolled-back transaction publishes nothing.
 */
@SpringBootTest(classes = SpringBootStarterIT.App.class, properties = {
        "eventcore.consumer.group-id=boot-it",
        "eventcore.outbox.table=" + SpringBootStarterIT.OUTBOX_TABLE,
        "eventcore.outbox.relay.shutdown-timeout=5s",
        "eventcore.consumer.shutdown-timeout=10s",
        "spring.flyway.enabled=false"}) // Flyway is on the test class path for FlywayMigrationsIT only
class SpringBootStarterIT {
    static final String OUTBOX_TABLE = "boot_it_outbox";
    static final String ORDERS_TABLE = "boot_it_orders";
    static final String TOPIC = "boot-it-" + UUID.randomUUID();

    @Autowired
    OrderService orders;
    @Autowired
    OrderPlacedHandler handler;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    MeterRegistry registry;
    @Autowired
    @org.springframework.beans.factory.annotation.Qualifier("eventcoreConsumersHealthIndicator")
    HealthIndicator consumerHealth;
    @Autowired
    @org.springframework.beans.factory.annotation.Qualifier("eventcoreRelayHealthIndicator")
    HealthIndicator relayHealth;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws SQLException {
        EmbeddedKafka.createTopics(3, TOPIC, TOPIC + ".dlq");
        TestDatabase postgres = TestDatabase.postgres();
        prepareTables(postgres);
        registry.add("eventcore.kafka.bootstrap-servers", EmbeddedKafka::bootstrapServers);
        registry.add("eventcore.consumer.topics", () -> TOPIC);
        registry.add("spring.datasource.url", postgres::url);
        registry.add("spring.datasource.username", postgres::user);
        registry.add("spring.datasource.password", () -> "");
    }

    /** Creates the tables (the migrations' job in an application) and empties what an earlier run left. */
    private static void prepareTables(TestDatabase postgres) throws SQLException {
        JdbcOutbox.builder(postgres.dataSource()).table(OUTBOX_TABLE).build().createSchema();
        TestDatabase.emptyOutbox(postgres.dataSource(), OUTBOX_TABLE);
        try (Connection c = postgres.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + ORDERS_TABLE + " (id VARCHAR(64) PRIMARY KEY)");
        }
    }

    @Test
    void committedTransaction_isRelayedAfterCommit_andHandled() {
        String id = UUID.randomUUID().toString();
        orders.place(id);

        await().atMost(Duration.ofSeconds(60)).until(() -> handler.received.contains(id));
        assertThat(rows(id)).isEqualTo(1);
        // The transactional relay commits at the broker before it settles and counts the rows: await the count.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Counter published = registry.find("eventcore.outbox.published").tag("outbox", "default").counter();
            return published != null && published.count() > 0;
        });
    }

    @Test
    void rolledBackTransaction_publishesNothing() {
        String rolledBack = UUID.randomUUID().toString();
        assertThatThrownBy(() -> orders.placeAndFail(rolledBack)).hasMessageContaining("payment declined");
        String committed = UUID.randomUUID().toString();
        orders.place(committed);

        // The committed event travels the same relay, topic and consumer: once it is handled, the
        // rolled-back one would have been too, had its row existed.
        await().atMost(Duration.ofSeconds(60)).until(() -> handler.received.contains(committed));
        assertThat(handler.received).doesNotContain(rolledBack);
        assertThat(rows(rolledBack)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + OUTBOX_TABLE + " WHERE aggregate_id = ?",
                Long.class, rolledBack)).isZero();
    }

    @Test
    void healthIndicators_reportConsumerAndRelayUp() {
        await().atMost(Duration.ofSeconds(60)).until(() -> consumerHealth.health().getStatus().equals(Status.UP));
        await().atMost(Duration.ofSeconds(60)).until(() -> relayHealth.health().getStatus().equals(Status.UP));
    }

    private long rows(String id) {
        return jdbc.queryForObject("SELECT count(*) FROM " + ORDERS_TABLE + " WHERE id = ?", Long.class, id);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({OrderService.class, OrderPlacedHandler.class})
    static class App {
        @Bean
        TopicNaming topicNaming() {
            return TopicNaming.fixed(TOPIC);
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    /** The business service: one transaction writes the order and appends its event. */
    static class OrderService {
        private final JdbcTemplate jdbc;
        private final OutboxAppender outbox;

        OrderService(JdbcTemplate jdbc, OutboxAppender outbox) {
            this.jdbc = jdbc;
            this.outbox = outbox;
        }

        @Transactional
        public void place(String id) {
            jdbc.update("INSERT INTO " + ORDERS_TABLE + " (id) VALUES (?)", id);
            outbox.append(OutboxEvent.of("Order", id, new OrderPlaced(id)));
        }

        @Transactional
        public void placeAndFail(String id) {
            jdbc.update("INSERT INTO " + ORDERS_TABLE + " (id) VALUES (?)", id);
            outbox.append(OutboxEvent.of("Order", id, new OrderPlaced(id)));
            throw new IllegalStateException("payment declined for " + id);
        }
    }

    /** The handler bean: records the order ids it received. */
    static class OrderPlacedHandler implements EventcoreHandler<OrderPlaced> {
        final Set<String> received = ConcurrentHashMap.newKeySet();

        @Override
        public Class<OrderPlaced> payloadType() {
            return OrderPlaced.class;
        }

        @Override
        public void handle(Event<OrderPlaced> event, EventContext context) {
            received.add(event.payload().orderId());
        }
    }
}
