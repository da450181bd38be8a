package io.eventcore.spring.boot.health;

import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.EventConsumer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The health of every {@link EventConsumer} bean, one detail per bean: {@code UP} only when all are
 * {@code UP}; a {@code STALLED} partition, a consumer that reaches no broker ({@code DISCONNECTED}) or a
 * {@code DOWN} consumer makes it {@code DOWN}, a stopped
 * consumer {@code OUT_OF_SERVICE}. Each detail holds the consumer's status and its explanation (which
 * partition is stalled and since when, which record keeps failing).
 */
final class ConsumerHealthIndicator implements HealthIndicator {
    private final java.util.function.Supplier<Map<String, EventConsumer>> consumers;

    /** @param consumers the consumer beans by name, looked up at each check (named consumers come late) */
    ConsumerHealthIndicator(java.util.function.Supplier<Map<String, EventConsumer>> consumers) {
        this.consumers = consumers;
    }

    @Override
    public Health health() {
        Status overall = Status.UP;
        Map<String, Object> details = new LinkedHashMap<>();
        for (Map.Entry<String, EventConsumer> entry : new java.util.TreeMap<>(consumers.get()).entrySet()) {
            ConsumerHealth health = entry.getValue().health();
            Status status = status(health.status());
            overall = worse(overall, status);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("status", health.status().name());
            if (health.detail() != null && !health.detail().isEmpty()) {
                detail.put("detail", health.detail());
            }
            details.put(entry.getKey(), detail);
        }
        return Health.status(overall).withDetails(details).build();
    }

    private static Status status(ConsumerHealth.Status status) {
        return switch (status) {
            case UP -> Status.UP;
            case STOPPED -> Status.OUT_OF_SERVICE;
            case STALLED, DISCONNECTED, DOWN -> Status.DOWN;
        };
    }

    private static Status worse(Status a, Status b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(Status status) {
        if (Status.DOWN.equals(status)) {
            return 2;
        }
        return Status.OUT_OF_SERVICE.equals(status) ? 1 : 0;
    }
}
