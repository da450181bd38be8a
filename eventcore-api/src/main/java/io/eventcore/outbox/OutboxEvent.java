package io.eventcore.outbox;

import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.EventType;
import io.eventcore.codec.EventCodec;

import io.eventcore.internal.Checks;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * An event to be written to the outbox inside the caller's transaction and published afterwards.
 *
 * <p>The aggregate id is the ordering key: the relay publishes the events of one aggregate id in the
 * order they were appended, and uses it as the message key. The payload is either an object, encoded by the
 * outbox's {@link EventCodec} when appended, or raw bytes written as given.
 *
 * <pre>{@code
 * OutboxEvent created = OutboxEvent.of("Order", order.id(), new OrderCreated(order.id(), total));
 * OutboxEvent custom = OutboxEvent.builder("Order", order.id())
 *         .rawPayload("OrderArchived", bytes)
 *         .header("traceparent", traceparent)
 *         .topic("order-archive")
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe (the payload object itself is only read when encoded).
 */
public final class OutboxEvent {
    private final String eventId;
    private final String aggregateType;
    private final String aggregateId;
    private final String eventType;
    private final Object payload;
    private final byte[] rawPayload;
    private final Map<String, String> headers;
    private final String topic;
    private final Instant occurredAt;

    private OutboxEvent(Builder b) {
        this.eventId = b.eventId != null ? b.eventId : UUID.randomUUID().toString();
        this.aggregateType = b.aggregateType;
        this.aggregateId = b.aggregateId;
        this.eventType = b.eventType;
        this.payload = b.payload;
        this.rawPayload = b.rawPayload;
        this.headers = Map.copyOf(b.headers);
        this.topic = b.topic;
        this.occurredAt = b.occurredAt;
    }

    /** A copy with {@code extra} headers, each replacing one of the same name. */
    OutboxEvent withHeaders(Map<String, String> extra) {
        Map<String, String> merged = new LinkedHashMap<>(headers);
        merged.putAll(extra);
        return new OutboxEvent(this, merged);
    }

    private OutboxEvent(OutboxEvent e, Map<String, String> headers) {
        this.eventId = e.eventId;
        this.aggregateType = e.aggregateType;
        this.aggregateId = e.aggregateId;
        this.eventType = e.eventType;
        this.payload = e.payload;
        this.rawPayload = e.rawPayload;
        this.headers = Collections.unmodifiableMap(headers);
        this.topic = e.topic;
        this.occurredAt = e.occurredAt;
    }

    /**
     * An event whose type is the payload's {@link EventType} value or simple class name, with a random id.
     *
     * @param aggregateType the aggregate type, e.g. {@code Order}; names the default topic
     * @param aggregateId the aggregate id (ordering and message key), may be {@code null} for unordered events
     * @param payload the payload, encoded by the outbox's codec
     * @return the event
     * @throws NullPointerException if the aggregate type or the payload is null
     * @throws IllegalArgumentException if the aggregate type is blank
     */
    public static OutboxEvent of(String aggregateType, String aggregateId, Object payload) {
        return builder(aggregateType, aggregateId).payload(payload).build();
    }

    /**
     * @param aggregateType the aggregate type, e.g. {@code Order}; names the default topic
     * @param aggregateId the aggregate id (ordering and message key), may be {@code null} for unordered events
     * @return a builder
     * @throws NullPointerException if the aggregate type is null
     * @throws IllegalArgumentException if the aggregate type is blank
     */
    public static Builder builder(String aggregateType, String aggregateId) {
        return new Builder(aggregateType, aggregateId);
    }

    /** @return the unique event id, sent as the {@code event_id} header */
    public String eventId() {
        return eventId;
    }

    /** @return the aggregate type */
    public String aggregateType() {
        return aggregateType;
    }

    /** @return the aggregate id, which is the ordering and message key; may be {@code null} */
    public String aggregateId() {
        return aggregateId;
    }

    /** @return the event type, sent as the {@code event_type} header */
    public String eventType() {
        return eventType;
    }

    /** @return extra headers to publish (the standard ones are added by the relay) */
    public Map<String, String> headers() {
        return headers;
    }

    /** @return the topic override, or {@code null} for the relay's naming strategy */
    public String topic() {
        return topic;
    }

    /** @return when the event happened; {@code null} means "when appended" */
    public Instant occurredAt() {
        return occurredAt;
    }

    /**
     * What a store writes for this event: the payload bytes and the headers kept with the row.
     *
     * <p>A raw payload is stored as given with {@link #headers()}. An object payload is encoded by
     * the codec's {@link EventCodec#encode(Object, String, Map)}, with {@link #topic()} (null when
     * the relay's naming will pick it) and a copy of {@link #headers()} the codec may add to (a
     * schema id, say); {@code content_type} (the codec's {@link EventCodec#contentType()}) is added
     * unless the headers already name one.
     *
     * @param codec the codec for object payloads
     * @return the bytes and headers to store; the headers are unmodifiable
     * @throws io.eventcore.EventcoreException if the codec cannot encode the payload
     */
    public Encoded encode(EventCodec codec) {
        if (rawPayload != null) {
            return new Encoded(rawPayload.clone(), headers);
        }
        Map<String, String> stored = new LinkedHashMap<>(headers);
        byte[] bytes = codec.encode(payload, topic, stored);
        String contentType = codec.contentType();
        if (contentType != null) {
            stored.putIfAbsent(EventHeaders.CONTENT_TYPE, contentType);
        }
        return new Encoded(bytes, Collections.unmodifiableMap(stored));
    }

    /**
     * An encoded event, as a store writes it.
     *
     * @param payload the payload bytes
     * @param headers the headers to keep with the row, in order
     */
    public record Encoded(byte[] payload, Map<String, String> headers) {
    }

    @Override
    public String toString() {
        return "OutboxEvent{" + eventType + ", id=" + eventId + ", aggregate=" + aggregateType + "/" + aggregateId
                + (topic == null ? "" : ", topic=" + topic) + '}';
    }

    /**
     * Builds an {@link OutboxEvent}. Each setting may be given once, and each header name once: a repeated
     * one throws {@link IllegalStateException} naming it, an invalid value {@link IllegalArgumentException}
     * naming the setting and the value, a {@code null} {@link NullPointerException}. A payload
     * ({@link #payload} or {@link #rawPayload}, not both) is required. Not thread-safe.
     */
    public static final class Builder {
        private final String aggregateType;
        private final String aggregateId;
        private String eventId;
        private String eventType;
        private Object payload;
        private byte[] rawPayload;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String topic;
        private Instant occurredAt;

        private Builder(String aggregateType, String aggregateId) {
            this.aggregateType = Checks.notBlank("aggregateType", aggregateType);
            this.aggregateId = aggregateId;
        }

        /**
         * @param id the event id, not blank; defaults to a random UUID
         * @return this builder
         */
        public Builder eventId(String id) {
            eventId = Checks.once("eventId", eventId, Checks.notBlank("eventId", id));
            return this;
        }

        /**
         * An object payload, encoded by the outbox's codec. Unless {@link #eventType} is given, the event
         * type is the payload's {@link EventType} value or simple class name.
         *
         * @param value the payload
         * @return this builder
         * @throws IllegalStateException if a payload (object or raw) was already set
         */
        public Builder payload(Object value) {
            requireNoPayload();
            payload = Objects.requireNonNull(value, "payload");
            return this;
        }

        /**
         * A payload already encoded, written as given.
         *
         * @param type the event type, not blank
         * @param bytes the payload bytes (copied)
         * @return this builder
         * @throws IllegalStateException if a payload (object or raw) or the event type was already set
         */
        public Builder rawPayload(String type, byte[] bytes) {
            requireNoPayload();
            eventType = Checks.once("eventType", eventType, Checks.notBlank("eventType", type));
            rawPayload = Objects.requireNonNull(bytes, "rawPayload").clone();
            return this;
        }

        /**
         * @param type the event type, not blank, instead of the one derived from the payload class
         * @return this builder
         * @throws IllegalStateException if the event type was already set (also by {@link #rawPayload})
         */
        public Builder eventType(String type) {
            eventType = Checks.once("eventType", eventType, Checks.notBlank("eventType", type));
            return this;
        }

        /**
         * @param name header name, not blank
         * @param value header value
         * @return this builder
         * @throws IllegalStateException if a header of that name was already set
         */
        public Builder header(String name, String value) {
            Checks.notBlank("header name", name);
            Objects.requireNonNull(value, "header value");
            Checks.once("header '" + name + "'", headers.get(name), value);
            headers.put(name, value);
            return this;
        }

        /**
         * @param name the topic to publish to instead of the relay's naming strategy, not blank; defaults to none
         * @return this builder
         */
        public Builder topic(String name) {
            topic = Checks.once("topic", topic, Checks.notBlank("topic", name));
            return this;
        }

        /**
         * @param time when the event happened; defaults to the time it is appended
         * @return this builder
         */
        public Builder occurredAt(Instant time) {
            occurredAt = Checks.once("occurredAt", occurredAt, Objects.requireNonNull(time, "occurredAt"));
            return this;
        }

        /**
         * @return the event
         * @throws IllegalStateException if no payload was set
         */
        public OutboxEvent build() {
            if (payload == null && rawPayload == null) {
                throw new IllegalStateException("payload or rawPayload must be set for an outbox event of "
                        + aggregateType + "/" + aggregateId);
            }
            if (eventType == null) {
                eventType = Event.typeOf(payload.getClass());
            }
            return new OutboxEvent(this);
        }

        private void requireNoPayload() {
            if (payload != null || rawPayload != null) {
                throw new IllegalStateException("payload was already set");
            }
        }
    }
}
