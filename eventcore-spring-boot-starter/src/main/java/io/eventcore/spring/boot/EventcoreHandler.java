package io.eventcore.spring.boot;

import io.eventcore.EventHandler;
import io.eventcore.routing.RouteOptions;

/**
 * A handler bean: every bean of this type becomes a route of the auto-configured
 * {@code EventRouter}, as {@code builder.route(payloadType(), this, this::options)}.
 *
 * <p>The event type is the one the payload class maps to ({@code @EventType} or its simple name);
 * at most one handler per type. Like any {@link EventHandler}, it is called from many threads at once
 * and must be thread-safe and idempotent (delivery is at least once).
 *
 * @param <T> payload type
 */
public interface EventcoreHandler<T> extends EventHandler<T> {

    /** @return the class payloads are decoded into; it also names the route's event type */
    Class<T> payloadType();

    /**
     * Adjusts this route (retry policy, dead-letter sink, timeout, name). Does nothing by default.
     *
     * @param options the route's options
     */
    default void options(RouteOptions options) {
    }
}
