package io.eventcore.outbox.jdbc.docs;

// snippet:outbox
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.transport.EventPublisher;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

public class OutboxQuickstart {
    public record OrderCreated(String orderId, BigDecimal total) {
    }

    public static OutboxPublisher run(DataSource dataSource, EventPublisher kafkaPublisher, DeadLetterSink deadLetterSink,
            String orderId, BigDecimal total) {
        JdbcOutbox outbox = JdbcOutbox.builder(dataSource).build();   // dialect detected from the connection
        outbox.createSchema();                                          // quick start; or run the migrations

        // in your service: the caller's connection and transaction (plain JDBC, Spring, jOOQ)
        outbox.inTransaction(connection -> {
            insertOrder(connection, orderId, total);
            outbox.append(connection, OutboxEvent.of("Order", orderId, new OrderCreated(orderId, total)));
            return null;
        });

        // the relay, one per service instance; instances share the work through shard leases
        OutboxPublisher relay = OutboxPublisher.builder()
            .store(outbox.store())
            .publisher(kafkaPublisher)                  // any EventPublisher, e.g. KafkaEventPublisher
            .deadLetter(deadLetterSink)                 // optional: also receives rows moved to the dead table
            .build();
        relay.start();
        return relay;                                   // at shutdown: relay.close(Duration.ofSeconds(10))
    }

    public static void insertOrder(Connection connection, String orderId, BigDecimal total) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO orders (id, total) VALUES (?, ?)")) {
            insert.setString(1, orderId);
            insert.setBigDecimal(2, total);
            insert.executeUpdate();
        }
    }
}
// end:outbox
