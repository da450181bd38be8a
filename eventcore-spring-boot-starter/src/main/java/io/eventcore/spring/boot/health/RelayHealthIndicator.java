package io.eventcore.spring.boot.health;

import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.OutboxStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health of every {@link OutboxPublisher} relay bean: {@code UP} when each is running and its last
 * pass succeeded ({@link OutboxStatus#healthy()}), else {@code DOWN}; the details show each relay's id,
 * shards, counters, last publish time and last error.
 */
final class RelayHealthIndicator implements HealthIndicator {
    private final Map<String, OutboxPublisher> relays;

    RelayHealthIndicator(Map<String, OutboxPublisher> relays) {
        this.relays = Map.copyOf(relays);
    }

    @Override
    public Health health() {
        boolean healthy = true;
        Map<String, Object> details = new LinkedHashMap<>();
        for (Map.Entry<String, OutboxPublisher> entry : relays.entrySet()) {
            OutboxStatus status = entry.getValue().status();
            healthy &= status.healthy();
            details.put(entry.getKey(), describe(status));
        }
        return (healthy ? Health.up() : Health.down()).withDetails(details).build();
    }

    private static Map<String, Object> describe(OutboxStatus status) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("relayId", status.relayId());
        detail.put("running", status.running());
        detail.put("shards", status.shards());
        detail.put("published", status.published());
        detail.put("retried", status.retried());
        detail.put("dead", status.dead());
        detail.put("fenceRejections", status.fenceRejections());
        if (status.lastPublishAt() != null) {
            detail.put("lastPublishAt", status.lastPublishAt().toString());
        }
        if (status.lastError() != null) {
            detail.put("lastError", status.lastError());
        }
        return detail;
    }
}
