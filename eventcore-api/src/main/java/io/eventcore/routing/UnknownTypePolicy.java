package io.eventcore.routing;

/**
 * What the router does with a message whose event type has no route or cannot be resolved.
 * The default is {@link #DEAD_LETTER}, which loses nothing.
 */
public enum UnknownTypePolicy {
    /** Send it to the router's dead-letter sink with its original bytes (default). */
    DEAD_LETTER,
    /**
     * Acknowledge it without processing ({@link DispatchOutcome#SKIPPED}): counted in metrics and logged at WARN
     * with topic, partition, offset and why (at most one line per second per router, with a count of the lines
     * held back). Nothing is kept: a poison pill (bytes that are not an event, or carry no type) is acknowledged
     * and gone too, so prefer {@link #DEAD_LETTER} unless the topic is shared with types that are not yours.
     */
    SKIP,
    /**
     * Return {@link DispatchOutcome#FAILED}: the transport does not acknowledge it and retries it
     * later, blocking its partition. Use when consumers may lag behind producers that introduce
     * new types, and a deployment will add the route.
     */
    FAIL
}
