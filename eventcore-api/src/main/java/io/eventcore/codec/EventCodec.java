package io.eventcore.codec;

import io.eventcore.EventcoreException;

/**
 * Turns payload objects into bytes and back. The router decodes each message with the codec after
 * it has picked a route, so the target class always comes from the route, never from the wire.
 *
 * <p>Implementations must be thread-safe. The default is {@link #json()}.
 */
public interface EventCodec {

    /**
     * Decodes a payload.
     *
     * @param bytes the raw value; may be {@code null} (implementations must then throw)
     * @param type the payload class registered for the event type
     * @param eventType the event type being decoded, for error messages
     * @param <T> payload type
     * @return the payload, never {@code null}
     * @throws DecodeException if the bytes are not a valid payload of that class
     */
    <T> T decode(byte[] bytes, Class<T> type, String eventType);

    /**
     * Encodes a payload.
     *
     * @param payload the payload, not {@code null}
     * @return the bytes
     * @throws EventcoreException if the payload cannot be encoded
     */
    byte[] encode(Object payload);

    /**
     * The media type of what {@link #encode} writes. Publishers write it as the
     * {@code content_type} header ({@code EventHeaders.CONTENT_TYPE}) of every message whose
     * payload this codec encoded, and the outbox stores it with the row. Return {@code null} to
     * write no such header.
     *
     * @return the content type, e.g. {@code application/json} (the default)
     */
    default String contentType() {
        return "application/json";
    }

    /**
     * The default codec: Jackson JSON with Java time support, no default typing and bounded
     * parser limits (see {@link JsonEventCodec.Builder}).
     *
     * @return a JSON codec with default settings
     */
    static EventCodec json() {
        return JsonEventCodec.builder().build();
    }
}
