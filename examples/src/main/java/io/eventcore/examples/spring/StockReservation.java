package io.eventcore.examples.spring;

// snippet:handler
import io.eventcore.NonRetryableException;
import io.eventcore.spring.boot.EventcoreListener;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Reserves stock for each placed order; idempotent, as delivery is at least once. */
@Component
public class StockReservation {
    private final JdbcTemplate jdbc;
    private final AtomicInteger redelivered = new AtomicInteger();

    StockReservation(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventcoreListener                             // a route for event type "OrderPlaced", from the parameter
    public void reserve(OrderPlaced order) {
        if (order.quantity() < 1) {                // poison: not retried, dead-lettered
            throw new NonRetryableException("order " + order.orderId() + " has quantity " + order.quantity());
        }
        try {
            jdbc.update("INSERT INTO shop_reservations (order_id, sku, quantity) VALUES (?, ?, ?)",
                    order.orderId(), order.sku(), order.quantity());
        } catch (DuplicateKeyException alreadyReserved) {
            redelivered.incrementAndGet();         // a redelivery: the primary key keeps one reservation
        }
    }

    /** @return deliveries that found their order already reserved */
    public int redelivered() {
        return redelivered.get();
    }
}
// end:handler
