package io.eventcore.examples.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code example.*} settings of the Spring Boot order service, e.g. {@code --example.orders=1000}.
 *
 * @param orders how many orders to place; defaults to {@value #DEFAULT_ORDERS}
 * @param poisonEvery every how many orders one is poison (quantity 0, dead-lettered); defaults to
 *     {@value #DEFAULT_POISON_EVERY}
 * @param deadline how long to wait, after the last order, for every event to be handled or dead-lettered;
 *     defaults to 60 s
 */
@ConfigurationProperties("example")
public record DemoSettings(
        @DefaultValue("" + DEFAULT_ORDERS) int orders,
        @DefaultValue("" + DEFAULT_POISON_EVERY) int poisonEvery,
        @DefaultValue("60s") Duration deadline) {
    /** Default of {@link #orders()}. */
    public static final int DEFAULT_ORDERS = 200;
    /** Default of {@link #poisonEvery()}. */
    public static final int DEFAULT_POISON_EVERY = 100;

    /**
     * @throws IllegalArgumentException if {@code orders} or {@code poisonEvery} is below 1, or the deadline
     *     is not positive
     */
    public DemoSettings {
        if (orders < 1) {
            throw new IllegalArgumentException("example.orders must be >= 1, but was " + orders);
        }
        if (poisonEvery < 1) {
            throw new IllegalArgumentException("example.poison-every must be >= 1, but was " + poisonEvery);
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("example.deadline must be > 0, but was " + deadline);
        }
    }

    /**
     * @param index the order's number, from 0
     * @return whether that order is poison
     */
    public boolean isPoison(int index) {
        return (index + 1) % poisonEvery == 0;
    }

    /** @return how many of the orders are poison */
    public int poisonOrders() {
        return orders / poisonEvery;
    }
}
