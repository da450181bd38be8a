package io.eventcore.deadletter;

import io.eventcore.EventcoreException;

/**
 * Writing a dead letter failed. The dispatch outcome is then {@link io.eventcore.routing.DispatchOutcome#FAILED}: the
 * transport must not acknowledge the message and must retry the write
 * ({@link io.eventcore.routing.EventRouter#retryDeadLetter(DispatchResult)}) until it succeeds.
 */
public class DeadLetterException extends EventcoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the sink's exception
     * @param eventId id of the event, may be {@code null}
     * @param eventType type of the event, may be {@code null}
     */
    public DeadLetterException(String message, Throwable cause, String eventId, String eventType) {
        super(message, cause, eventId, eventType);
    }
}
