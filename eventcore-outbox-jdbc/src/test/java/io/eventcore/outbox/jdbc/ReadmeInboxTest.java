package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.codec.EventCodec;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.InMemoryDeadLetterSink;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.outbox.OutboxEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The README's "Exactly-once effects" snippet, compiled and run (H2 and an in-memory broker stand in). */
class ReadmeInboxTest {
    record OrderPlaced(String orderId, int quantity) {
    }

    record StockReserved(String orderId) {
    }

    static void reserve(Connection c, OrderPlaced order) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO reservations (order_id, quantity) VALUES (?, ?)")) {
            s.setString(1, order.orderId());
            s.setInt(2, order.quantity());
            s.executeUpdate();
        }
    }

    @Test
    void aRedeliveredEvent_hasItsEffectsOnce() throws Exception {
        DataSource dataSource = TestDatabase.h2("readme_inbox").dataSource();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS reservations (order_id VARCHAR(64), quantity INT)");
            s.execute("DELETE FROM reservations");
        }
        InMemoryBroker broker = new InMemoryBroker();
        InMemoryDeadLetterSink deadLetterSink = new InMemoryDeadLetterSink();

        // --- README snippet ---
        JdbcOutbox outbox = JdbcOutbox.builder(dataSource).build();
        JdbcInbox inbox = JdbcInbox.builder(dataSource)   // records kept 7 days, purged in batches
                .outbox(outbox)                          // wake the relay after each commit
                .build();
        inbox.createSchema();                            // quick start; or migrate V2__eventcore_inbox.sql

        EventRouter router = EventRouter.builder()
            .route(OrderPlaced.class, inbox.handler((event, ctx, connection) -> {
                reserve(connection, event.payload());                                  // business rows
                outbox.append(connection, OutboxEvent.of("Order", event.key(),
                        new StockReserved(event.payload().orderId())));                 // follow-up event
            }))                                          // one transaction: inbox record, rows, outbox
            .deadLetter(deadLetterSink)
            .build();
        // --- end of snippet ---
        outbox.createSchema();
        TestDatabase.emptyOutbox(dataSource, JdbcOutbox.DEFAULT_TABLE);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM " + JdbcInbox.DEFAULT_TABLE);
        }

        Event<OrderPlaced> placed = Event.of("order-1", new OrderPlaced("order-1", 2));
        try (inbox; outbox; router;
             EventConsumer consumer = broker.consumer("stock-service", "orders", router)
                     .build();
             EventPublisher publisher = broker.publisher()) {
            consumer.start();
            OutboundMessage message = OutboundMessage.of("orders", placed, EventCodec.json());
            publisher.send(message);
            publisher.send(message); // the same event again: a producer retry, a redelivery after a crash
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> inbox.duplicatesSkipped() == 1);
        }
        assertThat(count(dataSource, "SELECT COUNT(*) FROM reservations")).isEqualTo(1);
        assertThat(count(dataSource, "SELECT COUNT(*) FROM " + JdbcOutbox.DEFAULT_TABLE)).isEqualTo(1);
        assertThat(inbox.duplicatesSkipped()).isEqualTo(1);
        assertThat(deadLetterSink.deadLetters()).isEmpty();
    }

    private static int count(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
