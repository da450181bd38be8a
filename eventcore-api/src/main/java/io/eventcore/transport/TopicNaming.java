package io.eventcore.transport;

import io.eventcore.internal.Checks;
import java.util.Locale;

/**
 * Chooses the topic of an outgoing event. One type serves both the direct publisher
 * ({@code KafkaEventPublisher.Builder.topics}) and the outbox relay
 * ({@code OutboxPublisher.Builder.topicNaming}), so a service can give both the same strategy and
 * get the same topics.
 *
 * <p>The publisher passes the event's type, its {@code aggregate_type} header (or {@code null})
 * and its key; the relay passes the row's event type, aggregate type and aggregate id.
 * Implementations must be thread-safe and return a non-blank name; a {@code null} or blank result
 * is a permanent error for that event.
 */
@FunctionalInterface
public interface TopicNaming {

    /**
     * @param eventType the event type, e.g. {@code OrderCreated}; never {@code null}
     * @param aggregateType the aggregate type, e.g. {@code Order}; {@code null} when unknown
     * @param key the event key (aggregate id), may be {@code null}
     * @return the destination topic, not blank
     */
    String topicFor(String eventType, String aggregateType, String key);

    /**
     * @param topic the one topic every event goes to, not blank
     * @return a naming that always returns {@code topic}
     * @throws IllegalArgumentException if {@code topic} is blank
     */
    static TopicNaming fixed(String topic) {
        Checks.notBlank("topic", topic);
        return (eventType, aggregateType, key) -> topic;
    }

    /**
     * One topic per event type: {@code OrderCreated} goes to {@code prefix + "order-created"}.
     *
     * @param prefix prepended to the kebab-cased type, may be empty, not {@code null}
     * @return the naming
     */
    static TopicNaming perType(String prefix) {
        java.util.Objects.requireNonNull(prefix, "prefix");
        return (eventType, aggregateType, key) -> prefix + kebab(eventType);
    }

    /**
     * One topic per aggregate type: the aggregate type in lower case followed by {@code -events}
     * ({@code OrderLine} goes to {@code orderline-events}). This is the outbox relay's default.
     * An event without an aggregate type has no topic under this naming
     * ({@link IllegalArgumentException}).
     *
     * @return the naming
     */
    static TopicNaming perAggregate() {
        return (eventType, aggregateType, key) -> {
            if (aggregateType == null || aggregateType.isBlank()) {
                throw new IllegalArgumentException("perAggregate topic naming needs an aggregate type, but event type "
                        + eventType + " has none");
            }
            return aggregateType.toLowerCase(Locale.ROOT) + "-events";
        };
    }

    private static String kebab(String type) {
        return type.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
