package io.eventcore.outbox.jdbc.docs;

// snippet:inbox
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.jdbc.JdbcInbox;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.routing.EventRouter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

public class InboxQuickstart {
    public record OrderPlaced(String orderId, String sku) {
    }

    public record StockReserved(String orderId) {
    }

    public record Wired(JdbcOutbox outbox, JdbcInbox inbox, EventRouter router) {
    }

    public static Wired wire(DataSource dataSource, DeadLetterSink deadLetterSink) {
        JdbcOutbox outbox = JdbcOutbox.builder(dataSource).build();
        JdbcInbox inbox = JdbcInbox.builder(dataSource)   // records kept 7 days, purged in batches
                .outbox(outbox)                          // wake the relay after each commit
                .build();
        inbox.createSchema();                            // quick start; or run the inbox migration

        EventRouter router = EventRouter.builder()
            .route(OrderPlaced.class, inbox.handler((event, ctx, connection) -> {
                reserve(connection, event.payload());                              // business rows
                outbox.append(connection, OutboxEvent.of("Order", event.key(),
                        new StockReserved(event.payload().orderId())));             // follow-up event
            }))                                          // one transaction: inbox record, rows, outbox
            .deadLetter(deadLetterSink)
            .build();
        return new Wired(outbox, inbox, router);
    }

    public static void reserve(Connection connection, OrderPlaced order) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO reservations (order_id, sku) VALUES (?, ?)")) {
            insert.setString(1, order.orderId());
            insert.setString(2, order.sku());
            insert.executeUpdate();
        }
    }
}
// end:inbox
