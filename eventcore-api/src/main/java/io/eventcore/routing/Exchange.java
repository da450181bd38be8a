package io.eventcore.routing;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.InboundMessage;
import io.eventcore.observation.Observed;

/**
 * What travels down the router's chain for one dispatch: the message, its resolved type and route
 * (both {@code null} when unroutable), the event id, and, once decoded, the event and the current
 * attempt's context, and the dispatch's {@link Observed} operation ({@link Observed#NONE} when not
 * instrumented). Immutable; stages pass changed copies down.
 */
record Exchange(InboundMessage message, String type, Route<?> route, String eventId, Event<?> event,
        EventContext context, Observed observed) {

    Exchange withEvent(Event<?> decoded) {
        return new Exchange(message, type, route, eventId, decoded, context, observed);
    }

    Exchange withAttempt(Event<?> current, EventContext attempt) {
        return new Exchange(message, type, route, eventId, current, attempt, observed);
    }

    Exchange withObserved(Observed operation) {
        return new Exchange(message, type, route, eventId, event, context, operation);
    }
}
