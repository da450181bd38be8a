package io.eventcore.retry;

import io.eventcore.EventHeaders;

/**
 * How a {@link RetryPolicy} performs its retries.
 */
public enum RetryMode {
    /**
     * Retries happen inside one dispatch, after delays driven by the router's scheduler. No thread
     * sleeps, but the message's key (or partition, in partition-ordered transports) waits for the
     * outcome, so per-key order is preserved. Attempt counts restart if the process restarts
     * mid-retry. The default.
     */
    IN_PLACE,
    /**
     * A failed attempt returns {@link io.eventcore.routing.DispatchOutcome#RETRY_LATER} with the delay; the transport
     * redelivers the message later (Kafka: through a retry topic) with the attempt count in the
     * {@value EventHeaders#ATTEMPT} header, so counts survive restarts. The key is <em>not</em>
     * blocked: later events of the same key may be handled before the retried one, so per-key
     * order is given up for that event.
     */
    REDELIVER
}
