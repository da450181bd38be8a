package io.eventcore.spring.boot.docs;

// snippet:service
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.spring.boot.outbox.OutboxAppender;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class OrderService {
    private final JdbcTemplate jdbc;
    private final OutboxAppender outbox;

    OrderService(JdbcTemplate jdbc, OutboxAppender outbox) {
        this.jdbc = jdbc;
        this.outbox = outbox;
    }

    @Transactional
    public void place(String orderId, long totalCents) {
        jdbc.update("INSERT INTO orders (id, total_cents) VALUES (?, ?)", orderId, totalCents);
        outbox.append(OutboxEvent.of("Order", orderId, new OrderPlaced(orderId, totalCents)));
    }   // commit: the relay publishes to order-events; rollback: nothing is published
}
// end:service
