package io.eventcore.routing;

import io.eventcore.NonRetryableException;

/**
 * The router has no route for a message's event type, or the type could not be resolved at all.
 * Raised (as the failure of a dead letter, or of a {@code FAILED} outcome) according to the
 * router's {@link UnknownTypePolicy}. Never retried.
 */
public class UnknownEventTypeException extends NonRetryableException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message why the type is unknown
     * @param eventId id of the event, may be {@code null}
     * @param eventType the unroutable type, {@code null} when none could be resolved
     */
    public UnknownEventTypeException(String message, String eventId, String eventType) {
        super(message, null, eventId, eventType);
    }
}
