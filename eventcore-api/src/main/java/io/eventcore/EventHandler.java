package io.eventcore;


/**
 * Handles one event type synchronously on the dispatching thread.
 *
 * <p>Returning normally means success. Throwing an {@link Exception} means the attempt failed; the
 * route's {@link io.eventcore.retry.RetryPolicy RetryPolicy} decides whether it is retried and, once retries are exhausted or the
 * failure is non-retryable, the event is dead-lettered. A thrown {@link Error} is fatal: the event
 * is neither retried nor dead-lettered, the dispatch reports {@link io.eventcore.routing.DispatchResult#fatal()}, and
 * transports stop without acknowledging it.
 *
 * <p>The same handler instance may be called from many threads at once (for different keys); it
 * must be thread-safe. Handlers should be idempotent: delivery is at least once.
 *
 * @param <T> payload type
 */
@FunctionalInterface
public interface EventHandler<T> {

    /**
     * @param event the decoded event
     * @param context the delivery context (attempt number, raw message, handler name)
     * @throws Exception to fail this attempt
     */
    void handle(Event<T> event, EventContext context) throws Exception;
}
