package io.eventcore.routing;

/**
 * What the router does with a message whose event type has no route or cannot be resolved.
 * The default is {@link #DEAD_LETTER}, which loses nothing.
 */
public enum UnknownTypePolicy {
    /** Send it to the router's dead-letter sink with its original bytes (default). */
    DEAD_LETTER,
    /** Acknowledge it without processing ({@link DispatchOutcome#SKIPPED}); counted in metrics. */
    SKIP,
    /**
     * Return {@link DispatchOutcome#FAILED}: the transport does not acknowledge it and retries it
     * later, blocking its partition. Use when consumers may lag behind producers that introduce
     * new types, and a deployment will add the route.
     */
    FAIL
}
