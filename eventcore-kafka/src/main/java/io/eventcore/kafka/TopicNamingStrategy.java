package io.eventcore.kafka;

import io.eventcore.Event;
import io.eventcore.internal.Checks;
import java.util.Locale;

/**
 * Chooses the topic an event is published to. Must be thread-safe and return a non-blank name.
 */
@FunctionalInterface
public interface TopicNamingStrategy {

    /**
     * @param event the event being published
     * @return the destination topic
     */
    String topicFor(Event<?> event);

    /**
     * @param topic the one topic every event goes to
     * @return a strategy that always returns it
     */
    static TopicNamingStrategy fixed(String topic) {
        Checks.notBlank("topic", topic);
        return event -> topic;
    }

    /**
     * One topic per event type: {@code OrderCreated} goes to {@code prefix + "order-created"}.
     *
     * @param prefix prepended to the kebab-cased type, may be empty
     * @return the strategy
     */
    static TopicNamingStrategy perType(String prefix) {
        return event -> prefix + event.type().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
