package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.codec.EventCodec;
import io.eventcore.outbox.jdbc.docs.InboxQuickstart;
import io.eventcore.outbox.jdbc.docs.InboxQuickstart.OrderPlaced;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.InMemoryDeadLetterSink;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** docs/inbox.md's snippet ({@link InboxQuickstart}) run on H2 and an in-memory broker: a redelivery has no effect. */
class ReadmeInboxTest {
    @Test
    void aRedeliveredEvent_hasItsEffectsOnce() throws Exception {
        DataSource dataSource = TestDatabase.h2("readme_inbox").dataSource();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS reservations (order_id VARCHAR(64), sku VARCHAR(64))");
            s.execute("DELETE FROM reservations");
        }
        InMemoryBroker broker = new InMemoryBroker();
        InMemoryDeadLetterSink deadLetterSink = new InMemoryDeadLetterSink();

        InboxQuickstart.Wired wired = InboxQuickstart.wire(dataSource, deadLetterSink);
        JdbcOutbox outbox = wired.outbox();
        JdbcInbox inbox = wired.inbox();
        EventRouter router = wired.router();
        outbox.createSchema();
        TestDatabase.emptyOutbox(dataSource, JdbcOutbox.DEFAULT_TABLE);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM " + JdbcInbox.DEFAULT_TABLE);
        }

        Event<OrderPlaced> placed = Event.of("order-1", new OrderPlaced("order-1", "sku-7"));
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
