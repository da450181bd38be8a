package io.eventcore.routing;

import io.eventcore.retry.RetryMode;

/**
 * What became of one dispatched message; the transport acts on it.
 */
public enum DispatchOutcome {
    /** A handler processed the event. Acknowledge. */
    SUCCEEDED,
    /** Deliberately not processed (unknown type under {@link UnknownTypePolicy#SKIP}). Acknowledge. */
    SKIPPED,
    /** Retries exhausted or the failure was permanent; the dead-letter sink accepted it. Acknowledge. */
    DEAD_LETTERED,
    /**
     * The attempt failed and the route uses {@link RetryMode#REDELIVER}: the transport must
     * redeliver the message after {@link DispatchResult#delay()} with the attempt count incremented
     * (e.g. via a retry topic) and may then acknowledge the original.
     */
    RETRY_LATER,
    /**
     * Nothing durable happened: the dead-letter write failed, the type was unknown under
     * {@link UnknownTypePolicy#FAIL}, or a fatal {@link Error} was thrown. The transport must
     * <em>not</em> acknowledge the message or anything after it in the same partition.
     */
    FAILED;

    /** @return whether the transport may acknowledge (commit past) the message */
    public boolean acknowledgeable() {
        return this != FAILED;
    }
}
