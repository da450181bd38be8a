package io.eventcore.routing;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.InboundMessage;

/**
 * What travels down the router's chain for one dispatch: the message, its resolved type and route
 * (both {@code null} when unroutable), the event id, and, once decoded, the event and the current
 * attempt's context. Immutable; stages pass changed copies down.
 */
record Exchange(InboundMessage message, String type, Route<?> route, String eventId, Event<?> event,
        EventContext context) {

    Exchange withEvent(Event<?> decoded) {
        return new Exchange(message, type, route, eventId, decoded, context);
    }

    Exchange withAttempt(Event<?> current, EventContext attempt) {
        return new Exchange(message, type, route, eventId, current, attempt);
    }
}
