package io.eventcore.routing;


import java.time.Duration;

/**
 * Receives the router's measurements. eventcore ships {@link #noop()} and {@link io.eventcore.micrometer.MicrometerMetrics MicrometerMetrics};
 * hosts may implement their own.
 *
 * <p>Every method is a no-op by default, so an implementation overrides only what it records.
 * Implementations must be thread-safe and fast. An exception thrown from any method is logged
 * and otherwise ignored: metrics never break processing.
 */
public interface EventMetrics {

    /**
     * One dispatch finished.
     *
     * @param eventType the event type when a route handles it, else {@code "_unknown"} (unresolved or unrouted)
     * @param outcome the outcome
     * @param elapsed time from dispatch to outcome, retries included
     */
    default void dispatched(String eventType, DispatchOutcome outcome, Duration elapsed) {
    }

    /**
     * One handler attempt finished.
     *
     * @param eventType the event type
     * @param handlerName the handler
     * @param elapsed duration of the attempt
     * @param success whether it succeeded
     */
    default void handlerAttempt(String eventType, String handlerName, Duration elapsed, boolean success) {
    }

    /**
     * A failed attempt is going to be retried (in place or by redelivery).
     *
     * @param eventType the event type
     * @param attempt the attempt that failed
     */
    default void retried(String eventType, int attempt) {
    }

    /**
     * A message was accepted by a dead-letter sink.
     *
     * @param eventType the event type when a route handles it, else {@code "_unknown"}
     * @param exceptionClass simple name of the failure's class
     */
    default void deadLettered(String eventType, String exceptionClass) {
    }

    /** @return metrics that record nothing (the default) */
    static EventMetrics noop() {
        return NoopMetrics.INSTANCE;
    }
}
