package io.eventcore.routing;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;

/**
 * The routes by the UTF-8 bytes of their type, so that a message whose {@code event_type} header
 * holds exactly a routed type finds its route without decoding the header: what the standard
 * resolver would answer, since a routed type is never blank. Anything else (no such header, an
 * unrouted or blank value) is left to the resolver. Open addressing over a power-of-two table.
 * Immutable and thread-safe.
 */
final class TypeTable {
    private final byte[][] keys;
    private final Route<?>[] routes;
    private final int mask;

    TypeTable(Collection<Route<?>> all) {
        int size = Integer.highestOneBit(Math.max(2, all.size() * 2) - 1) << 1;
        keys = new byte[size][];
        routes = new Route<?>[size];
        mask = size - 1;
        for (Route<?> route : all) {
            byte[] key = route.type.getBytes(StandardCharsets.UTF_8);
            if (!new String(key, StandardCharsets.UTF_8).equals(route.type)) {
                continue; // unpaired surrogates do not round-trip: left to the resolver
            }
            int i = hash(key) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            routes[i] = route;
        }
    }

    /** @return the route whose type the message's last {@code event_type} header holds, else {@code null} */
    Route<?> byTypeHeader(InboundMessage message) {
        byte[] raw = message.rawHeader(EventHeaders.EVENT_TYPE);
        if (raw == null) {
            return null;
        }
        for (int i = hash(raw) & mask;; i = (i + 1) & mask) {
            byte[] key = keys[i];
            if (key == null) {
                return null;
            }
            if (Arrays.equals(key, raw)) {
                return routes[i];
            }
        }
    }

    private static int hash(byte[] bytes) {
        int h = Arrays.hashCode(bytes);
        return h ^ (h >>> 16);
    }
}
