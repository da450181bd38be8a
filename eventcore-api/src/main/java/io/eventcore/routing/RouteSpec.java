package io.eventcore.routing;

import io.eventcore.AsyncEventHandler;
import io.eventcore.BatchHandler;
import io.eventcore.RawEventHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A route as the builder collects it: a typed one ({@code payloadClass} and {@code handler}) or a
 * raw one ({@code raw}), with {@code batch} set for a batch route, the handler as the user passed it (for the default name), and its options.
 */
record RouteSpec<T>(String type, Class<T> payloadClass, AsyncEventHandler<T> handler, RawEventHandler raw,
        BatchHandler<T> batch, Object original, RouteOptions options) {

    /**
     * @throws IllegalStateException if there is no route or a type is routed twice
     */
    static void checkDistinct(List<RouteSpec<?>> routes) {
        if (routes.isEmpty()) {
            throw new IllegalStateException("routes must not be empty: add at least one route()");
        }
        Map<String, RouteSpec<?>> byType = new LinkedHashMap<>();
        for (RouteSpec<?> spec : routes) {
            RouteSpec<?> previous = byType.putIfAbsent(spec.type(), spec);
            if (previous != null) {
                throw new IllegalStateException("duplicate route for event type '" + spec.type() + "': "
                        + previous.target() + " and " + spec.target());
            }
        }
    }

    private String target() {
        return raw != null ? "a raw handler" : payloadClass.getName();
    }
}
