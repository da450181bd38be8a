package io.eventcore.codec;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;

import java.util.Optional;

/**
 * Finds the event type of a raw message so the router can pick a route before decoding.
 *
 * <p>Implementations must be thread-safe and must not throw: an unresolvable message yields
 * {@link Optional#empty()}, which the router treats as an unknown type. The default,
 * {@link #standard()}, reads the {@value EventHeaders#EVENT_TYPE} header and falls back to a
 * top-level {@code "event_type"} field of a JSON value.
 */
@FunctionalInterface
public interface TypeResolver {

    /**
     * @param message the raw message
     * @return its event type, or empty when it cannot be determined
     */
    Optional<String> resolve(InboundMessage message);

    /**
     * The default resolver: the {@code event_type} header, else a top-level {@code event_type}
     * string field of the JSON value. The JSON scan is bounded by the default
     * {@link JsonEventCodec} parser limits and stops at the first match. Always the same instance,
     * which lets the router recognise it and match the header's bytes against its routes without
     * decoding them.
     *
     * @return the standard resolver
     */
    static TypeResolver standard() {
        return StandardTypeResolver.INSTANCE;
    }

    /**
     * @param headerName the header carrying the type
     * @return a resolver that reads only that header (blank values count as absent)
     */
    static TypeResolver header(String headerName) {
        return message -> Optional.ofNullable(message.header(headerName)).filter(s -> !s.isBlank());
    }

    /**
     * @param fieldName top-level JSON string field carrying the type
     * @return a resolver that scans the JSON value for that field
     */
    static TypeResolver jsonField(String fieldName) {
        return new JsonFieldTypeResolver(fieldName);
    }
}
