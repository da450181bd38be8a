package io.eventcore;

/**
 * Handles the raw messages of one event type without decoding them: it gets the key, value and
 * header bytes as the transport received them, so forwarding, archiving or counting an event costs
 * no JSON parsing and no copies. Registered with {@code EventRouter.Builder.routeRaw}.
 *
 * <p>The route is resolved like any other, by the router's {@code TypeResolver} (the standard one
 * matches the {@code event_type} header's bytes against the routes without decoding them); to route
 * by something else, the key say, configure a resolver that maps it to a route's type.
 *
 * <p>Runs synchronously on the dispatching thread. Returning normally means success; throwing an
 * {@link Exception} fails the attempt, which the route's {@link io.eventcore.retry.RetryPolicy
 * RetryPolicy} retries (in place, or by redelivery in {@code REDELIVER} mode) and, once it gives up
 * (at once for a {@link NonRetryableException}), hands to the dead-letter sink with the original
 * bytes; a thrown {@link Error} is fatal, exactly as for {@link EventHandler}. Metrics are recorded
 * as for typed routes. User middleware does not run for raw routes: it works on decoded
 * {@link Event}s, and a raw route has none. The route's timeout has no effect, as for any
 * synchronous handler. The message's arrays are shared with the transport and with later attempts:
 * read them, never modify them.
 *
 * <p>The same handler instance may be called from many threads at once (for different keys); it
 * must be thread-safe. Handlers should be idempotent: delivery is at least once.
 */
@FunctionalInterface
public interface RawEventHandler {

    /**
     * @param message the raw message: key, value and headers as received, and its source position
     * @param context the delivery context (attempt number, event type, handler name); its
     *     {@link EventContext#message()} is {@code message}
     * @throws Exception to fail this attempt
     */
    void handle(InboundMessage message, EventContext context) throws Exception;
}
