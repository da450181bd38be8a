package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.EventHeaders;
import io.eventcore.transport.EventPublisher;
import io.eventcore.InboundMessage;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.InMemoryDeadLetterSink;
import io.eventcore.test.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The README's outbox quickstart, compiled and run (H2 and an in-memory broker stand in). */
class ReadmeOutboxTest {
    record Order(String id, BigDecimal total) {
    }

    record OrderCreated(String orderId, BigDecimal total) {
    }

    static void insertOrder(Connection c, Order order) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO orders (id, total) VALUES (?, ?)")) {
            s.setString(1, order.id());
            s.setBigDecimal(2, order.total());
            s.executeUpdate();
        }
    }

    @Test
    void quickstart_publishesTheCommittedEvent() throws Exception {
        DataSource dataSource = TestDatabase.h2("readme_outbox").dataSource();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64) PRIMARY KEY, total DECIMAL(12, 2))");
        }
        InMemoryBroker broker = new InMemoryBroker();
        EventPublisher kafkaPublisher = broker.publisher();
        DeadLetterSink deadLetterSink = new InMemoryDeadLetterSink();
        Order order = new Order("order-1", new BigDecimal("12.50"));

        // --- README snippet ---
        JdbcOutbox outbox = JdbcOutbox.builder(dataSource).build();     // dialect detected from the connection
        outbox.createSchema();                                            // quick start; or migrate outbox.ddl()

        // in your service: the caller's connection and transaction (plain JDBC, Spring, jOOQ)
        outbox.inTransaction(connection -> {
            insertOrder(connection, order);
            outbox.append(connection, OutboxEvent.of("Order", order.id(), new OrderCreated(order.id(), order.total())));
            return null;
        });

        // the relay, one per service instance; instances share the work through shard leases
        OutboxPublisher relay = OutboxPublisher.builder()
            .store(outbox.store())
            .publisher(kafkaPublisher)                  // any EventPublisher, e.g. KafkaEventPublisher
            .deadLetter(deadLetterSink)                 // optional: also receives rows moved to the dead table
            .build();
        relay.start();
        // --- end of snippet ---
        try {
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !broker.messages("order-events").isEmpty());
            InboundMessage m = broker.messages("order-events").get(0);
            assertThat(m.keyAsString()).isEqualTo("order-1");
            assertThat(m.header(EventHeaders.EVENT_TYPE)).isEqualTo("OrderCreated");
            assertThat(new String(m.value(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("{\"orderId\":\"order-1\",\"total\":12.50}");
        } finally {
            relay.close(Duration.ofSeconds(10));
            outbox.close();
        }
    }
}
