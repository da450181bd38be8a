package io.eventcore;

import java.util.Objects;

/**
 * What a handler or middleware knows about the delivery of an event, beyond the event itself.
 * Immutable; a new context is created for each attempt.
 */
public final class EventContext {
    private final InboundMessage message;
    private final String eventType;
    private final String handlerName;
    private final int attempt;

    /**
     * @param message the raw message being handled
     * @param eventType the resolved event type
     * @param handlerName the route's handler name
     * @param attempt the attempt number, 1 for the first
     */
    public EventContext(InboundMessage message, String eventType, String handlerName, int attempt) {
        this.message = Objects.requireNonNull(message, "message");
        this.eventType = Objects.requireNonNull(eventType, "eventType");
        this.handlerName = Objects.requireNonNull(handlerName, "handlerName");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, but was " + attempt);
        }
        this.attempt = attempt;
    }

    /** @return the raw message: bytes, headers and source position */
    public InboundMessage message() {
        return message;
    }

    /** @return the resolved event type */
    public String eventType() {
        return eventType;
    }

    /** @return the name of the handler the event is routed to */
    public String handlerName() {
        return handlerName;
    }

    /**
     * The attempt number, counting both in-place retries and redeliveries: 1 for the first try.
     *
     * @return the attempt number, &gt;= 1
     */
    public int attempt() {
        return attempt;
    }

    /**
     * @param next the attempt number of the copy, &gt;= 1
     * @return a copy of this context for another attempt
     * @throws IllegalArgumentException if {@code next < 1}
     */
    public EventContext withAttempt(int next) {
        return new EventContext(message, eventType, handlerName, next);
    }
}
