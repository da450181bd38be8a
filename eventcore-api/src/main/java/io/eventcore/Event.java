package io.eventcore;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * An immutable, decoded event as handlers see it.
 *
 * @param id unique id (a UUID string); stable across redeliveries of the same message
 * @param type the event type, e.g. {@code OrderCreated}
 * @param key the ordering key (usually the aggregate id); {@code null} when the event has none
 * @param occurredAt when the event was produced
 * @param headers the message headers as strings (unmodifiable; UTF-8 decoded, last value wins); a
 *     consumed event's are decoded lazily, when read
 * @param payload the decoded payload, never {@code null}
 * @param <T> payload type
 */
public record Event<T>(String id, String type, String key, Instant occurredAt, Map<String, String> headers, T payload) {

    /**
     * Validates and copies the arguments. The headers are copied ({@link Map#copyOf}) unless they
     * are an {@link InboundMessage#headerView()}, which is immutable already and is taken over as
     * it is, so that nothing is decoded before a handler asks for it.
     *
     * @param id the {@code id} component
     * @param type the {@code type} component
     * @param key the {@code key} component
     * @param occurredAt the {@code occurredAt} component
     * @param headers the {@code headers} component
     * @param payload the {@code payload} component
     * @throws NullPointerException if any argument but {@code key} is {@code null}
     * @throws IllegalArgumentException if {@code id} or {@code type} is blank
     */
    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(payload, "payload");
        if (id.isBlank()) {
            throw new IllegalArgumentException("id must not be blank");
        }
        if (type.isBlank()) {
            throw new IllegalArgumentException("type must not be blank");
        }
        Objects.requireNonNull(headers, "headers");
        if (!(headers instanceof HeaderView)) {
            headers = Map.copyOf(headers);
        }
    }

    /**
     * Creates a new event with a random id, the current time, no headers, and the type taken from
     * the payload class ({@link #typeOf(Class)}).
     *
     * @param key the ordering key, may be {@code null}
     * @param payload the payload
     * @param <T> payload type
     * @return the event
     */
    public static <T> Event<T> of(String key, T payload) {
        return of(typeOf(payload.getClass()), key, payload);
    }

    /**
     * Creates a new event with a random id, the current time and no headers.
     *
     * @param type the event type
     * @param key the ordering key, may be {@code null}
     * @param payload the payload
     * @param <T> payload type
     * @return the event
     */
    public static <T> Event<T> of(String type, String key, T payload) {
        return new Event<>(UUID.randomUUID().toString(), type, key, Instant.now(), Map.of(), payload);
    }

    /**
     * Returns a copy with the given headers instead of this event's.
     *
     * @param newHeaders the headers
     * @return the copy
     */
    public Event<T> withHeaders(Map<String, String> newHeaders) {
        return new Event<>(id, type, key, occurredAt, newHeaders, payload);
    }

    /**
     * The wire type name of a payload class: its {@link EventType} value, else its simple name.
     *
     * @param payloadClass the payload class
     * @return the type name
     */
    public static String typeOf(Class<?> payloadClass) {
        EventType annotation = payloadClass.getAnnotation(EventType.class);
        return annotation != null ? annotation.value() : payloadClass.getSimpleName();
    }
}
