package io.eventcore.routing;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.InboundMessage;
import io.eventcore.internal.HandlerAttempt;
import io.eventcore.observation.Observed;

/**
 * What travels down the router's chain for one dispatch: the message, its resolved type and route
 * (both {@code null} when unroutable), the event id, and, once decoded, the event and the current
 * attempt's context, and the dispatch's {@link Observed} operation ({@link Observed#NONE} when not
 * instrumented), the current attempt's {@link HandlerAttempt} ({@code null} before the retry stage), and its place
 * in a {@link BatchCall} ({@code null}: the attempt calls the handler alone). Immutable; stages pass changed copies
 * down.
 */
record Exchange(InboundMessage message, String type, Route<?> route, String eventId, Event<?> event,
        EventContext context, Observed observed, HandlerAttempt attempt, BatchCall.Slot slot) {

    Exchange withEvent(Event<?> decoded) {
        return new Exchange(message, type, route, eventId, decoded, context, observed, attempt, slot);
    }

    /** The same attempt with the event and context a middleware passes on. */
    Exchange withAttempt(Event<?> current, EventContext context) {
        return new Exchange(message, type, route, eventId, current, context, observed, attempt, slot);
    }

    /**
     * A new attempt (the retry stage's): a fresh {@link HandlerAttempt} for what the handler sends during it, which
     * the retry stage marks failed when the attempt fails, whatever failed it (the handler, a middleware after it,
     * the timeout).
     */
    Exchange withNewAttempt(EventContext context) {
        return new Exchange(message, type, route, eventId, event, context, observed, HandlerAttempt.of(message),
                slot);
    }

    /** A retry's attempt: as {@link #withNewAttempt}, always alone (out of any batch call). */
    Exchange withRetryAttempt(EventContext context) {
        return new Exchange(message, type, route, eventId, event, context, observed, HandlerAttempt.of(message),
                null);
    }

    Exchange withObserved(Observed operation) {
        return new Exchange(message, type, route, eventId, event, context, operation, attempt, slot);
    }
}
