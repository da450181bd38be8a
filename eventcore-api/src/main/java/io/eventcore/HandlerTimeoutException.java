package io.eventcore;

import java.time.Duration;

/**
 * An asynchronous handler's {@link java.util.concurrent.CompletionStage} did not complete within
 * the route's timeout. Retryable: the retry policy decides whether another attempt is made.
 */
public class HandlerTimeoutException extends EventcoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param handler the handler's name
     * @param timeout the timeout that elapsed
     * @param eventId id of the event
     * @param eventType type of the event
     */
    public HandlerTimeoutException(String handler, Duration timeout, String eventId, String eventType) {
        super("handler " + handler + " did not complete within " + timeout, null, eventId, eventType);
    }
}
