package io.eventcore;

/**
 * Root of eventcore's unchecked exception hierarchy.
 *
 * <p>eventcore throws JDK exceptions ({@link IllegalArgumentException},
 * {@link IllegalStateException}, {@link NullPointerException}) for API misuse and subclasses of
 * this type for failures while processing events. Instances may carry the id and type of the
 * event being processed; both are {@code null} when unknown.
 */
public class EventcoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The id of the event the failure concerns, or {@code null}. */
    private final String eventId;
    /** The type of the event the failure concerns, or {@code null}. */
    private final String eventType;

    /**
     * Creates an exception without event context.
     *
     * @param message the detail message
     * @param cause the cause, may be {@code null}
     */
    public EventcoreException(String message, Throwable cause) {
        this(message, cause, null, null);
    }

    /**
     * Creates an exception without event context or cause.
     *
     * @param message the detail message
     */
    public EventcoreException(String message) {
        this(message, null, null, null);
    }

    /**
     * Creates an exception that names the event it concerns.
     *
     * @param message the detail message
     * @param cause the cause, may be {@code null}
     * @param eventId id of the event being processed, may be {@code null}
     * @param eventType type of the event being processed, may be {@code null}
     */
    public EventcoreException(String message, Throwable cause, String eventId, String eventType) {
        super(message, cause);
        this.eventId = eventId;
        this.eventType = eventType;
    }

    /** @return the id of the event this failure concerns, or {@code null} when unknown */
    public String eventId() {
        return eventId;
    }

    /** @return the type of the event this failure concerns, or {@code null} when unknown */
    public String eventType() {
        return eventType;
    }
}
