package io.eventcore.examples.spring;

import io.eventcore.outbox.OutboxEvent;
import io.eventcore.spring.boot.outbox.OutboxAppender;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Places orders: the order row and its {@link OrderPlaced} event commit together or not at all. */
@Service
public class Orders {
    private final JdbcTemplate jdbc;
    private final OutboxAppender outbox;

    Orders(JdbcTemplate jdbc, OutboxAppender outbox) {
        this.jdbc = jdbc;
        this.outbox = outbox;
    }

    /**
     * Inserts the order and appends {@link OrderPlaced} in one transaction; the relay publishes the event
     * after the commit. Thread-safe.
     *
     * @param orderId the order's id, unique
     * @param sku the article
     * @param quantity how many
     * @throws org.springframework.dao.DuplicateKeyException if the order exists (nothing is appended)
     */
    @Transactional
    public void place(String orderId, String sku, int quantity) {
        jdbc.update("INSERT INTO shop_orders (id, sku, quantity) VALUES (?, ?, ?)", orderId, sku, quantity);
        outbox.append(OutboxEvent.of("Order", orderId, new OrderPlaced(orderId, sku, quantity)));
    }
}
