package io.eventcore;

/**
 * Thrown by a handler or a middleware to acknowledge an event without processing it: the router
 * reports {@link io.eventcore.routing.DispatchOutcome#SKIPPED}, counts it, and neither retries nor
 * dead-letters it. The inbox uses it for an event it has already processed.
 *
 * <p>Carries no stack trace: it is an outcome, not an error.
 */
public class SkipEventException extends EventcoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param reason why the event needs no processing, for logs
     */
    public SkipEventException(String reason) {
        super(reason, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
