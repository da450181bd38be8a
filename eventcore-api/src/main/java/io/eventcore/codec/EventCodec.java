package io.eventcore.codec;

import io.eventcore.EventcoreException;
import io.eventcore.InboundMessage;
import java.util.Map;

/**
 * Turns payload objects into bytes and back. The router decodes each message with the codec after
 * it has picked a route, so the target class always comes from the route, never from the wire.
 *
 * <p>Two levels: {@link #decode(byte[], Class, String)} and {@link #encode(Object)} see only the
 * payload; {@link #decodeMessage(InboundMessage, Class, String)} and {@link #encode(Object, String, Map)}
 * also see the topic and the headers, which is what a schema-registry codec needs (a subject named
 * after the topic, a schema id carried in a header). eventcore always calls the second pair; their
 * defaults delegate to the first, so a plain codec implements only the first. A codec written
 * outside eventcore may override the second pair and implement the first for payload-only use.
 *
 * <p>A decode failure of any kind must be a {@link DecodeException} carrying the original bytes:
 * the router dead-letters the record byte-exact and never retries it.
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
     * Decodes a consumed message, knowing its topic and headers. The router calls this method.
     *
     * @param message the raw message: {@link InboundMessage#value()} is the payload, and topic,
     *        partition and headers are available for codecs that need them
     * @param type the payload class registered for the event type
     * @param eventType the event type being decoded, for error messages
     * @param <T> payload type
     * @return the payload, never {@code null}
     * @throws DecodeException if the message is not a valid payload of that class
     */
    default <T> T decodeMessage(InboundMessage message, Class<T> type, String eventType) {
        return decode(message.value(), type, eventType);
    }

    /**
     * Encodes a payload for a message to a known topic, with its headers. Publishers and the
     * outbox call this method.
     *
     * @param payload the payload, not {@code null}
     * @param topic the destination topic; {@code null} when it is not known yet (an outbox append
     *        whose topic the relay's naming picks later)
     * @param headers the message's own headers so far, mutable: entries the codec puts or
     *        replaces (for example a schema id) are written with the message. The standard
     *        headers ({@code event_type}, {@code event_id}, {@code produced_at}) are not in it and
     *        cannot be overridden here.
     * @return the bytes
     * @throws EventcoreException if the payload cannot be encoded
     */
    default byte[] encode(Object payload, String topic, Map<String, String> headers) {
        return encode(payload);
    }

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

    /**
     * The JSON codec in strict mode: no scalar coercion ({@code "123"} is not a number), every
     * creator property required, nulls rejected for primitives; unknown properties still ignored.
     * See {@link JsonEventCodec.Builder#strict(boolean)}.
     *
     * @return a strict JSON codec with default limits
     */
    static EventCodec strictJson() {
        return JsonEventCodec.builder().strict(true).build();
    }
}
