package io.eventcore;


/**
 * Marker for failures that retrying cannot fix: a handler throws it (or a subclass, or wraps it
 * as a cause) to skip the remaining attempts and send the event straight to the dead-letter sink.
 *
 * <p>Every {@link io.eventcore.retry.RetryPolicy RetryPolicy} treats this type as non-retryable, whatever its {@code retryOn}
 * list says. {@link io.eventcore.codec.DecodeException DecodeException} extends it, so undecodable payloads are never retried.
 */
public class NonRetryableException extends EventcoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the detail message
     */
    public NonRetryableException(String message) {
        super(message);
    }

    /**
     * @param message the detail message
     * @param cause the cause, may be {@code null}
     */
    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param message the detail message
     * @param cause the cause, may be {@code null}
     * @param eventId id of the event, may be {@code null}
     * @param eventType type of the event, may be {@code null}
     */
    public NonRetryableException(String message, Throwable cause, String eventId, String eventType) {
        super(message, cause, eventId, eventType);
    }
}
