package io.eventcore;

import java.util.List;
import java.util.Objects;

/**
 * The delivery context of one {@link BatchHandler} call: one {@link EventContext} per event, in the order of the
 * events. Immutable.
 */
public final class BatchContext {
    private final List<EventContext> contexts;

    /**
     * @param contexts one context per event, in order; not empty
     * @throws IllegalArgumentException if {@code contexts} is empty
     */
    public BatchContext(List<EventContext> contexts) {
        this.contexts = List.copyOf(Objects.requireNonNull(contexts, "contexts"));
        if (this.contexts.isEmpty()) {
            throw new IllegalArgumentException("contexts must not be empty");
        }
    }

    /** @return the contexts, one per event, in order; unmodifiable */
    public List<EventContext> contexts() {
        return contexts;
    }

    /**
     * @param index the event's position in the batch
     * @return that event's context (its message, attempt, handler name)
     * @throws IndexOutOfBoundsException if there is no such event
     */
    public EventContext context(int index) {
        return contexts.get(index);
    }

    /** @return the events' type */
    public String eventType() {
        return contexts.get(0).eventType();
    }

    /** @return the route's handler name */
    public String handlerName() {
        return contexts.get(0).handlerName();
    }

    /** @return the consumer group the batch was consumed by, or {@code null} when the transport has none */
    public String consumerGroup() {
        return contexts.get(0).message().consumerGroup();
    }

    /** @return the number of events */
    public int size() {
        return contexts.size();
    }
}
