package io.eventcore.transport;

import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.MessageHeader;
import io.eventcore.codec.EventCodec;

import io.eventcore.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message ready to publish: destination topic, key, encoded value and headers. Immutable.
 *
 * @param topic destination topic, not blank
 * @param key ordering key (UTF-8 encoded by transports), may be {@code null}
 * @param value encoded payload, may be {@code null} only where the transport allows it
 * @param headers headers in order
 */
public record OutboundMessage(String topic, String key, byte[] value, List<MessageHeader> headers) {

    /**
     * Validates and copies.
     *
     * @param topic the {@code topic} component
     * @param key the {@code key} component
     * @param value the {@code value} component
     * @param headers the {@code headers} component
     * @throws IllegalArgumentException if the topic is blank
     */
    public OutboundMessage {
        Checks.notBlank("topic", topic);
        headers = List.copyOf(headers);
    }

    /**
     * Encodes an event for publishing with the standard headers {@code event_type},
     * {@code event_id}, {@code produced_at} (from {@link Event#occurredAt()}) and
     * {@code content_type} (the codec's {@link EventCodec#contentType()}, unless it is
     * {@code null}), followed by the event's own headers (such as {@code traceparent}) that do not
     * clash with them. The payload is encoded by {@link EventCodec#encode(Object, String, Map)},
     * which sees the topic and a copy of the event's headers it may add to.
     *
     * @param topic destination topic
     * @param event the event
     * @param codec encodes the payload
     * @return the message
     */
    public static OutboundMessage of(String topic, Event<?> event, EventCodec codec) {
        Objects.requireNonNull(event, "event");
        Map<String, String> own = new LinkedHashMap<>(event.headers());
        byte[] value = codec.encode(event.payload(), topic, own);
        String contentType = codec.contentType();
        List<MessageHeader> headers = new ArrayList<>(own.size() + 4);
        headers.add(MessageHeader.of(EventHeaders.EVENT_TYPE, event.type()));
        headers.add(MessageHeader.of(EventHeaders.EVENT_ID, event.id()));
        headers.add(MessageHeader.of(EventHeaders.PRODUCED_AT, DateTimeFormatter.ISO_INSTANT.format(event.occurredAt())));
        if (contentType != null) {
            headers.add(MessageHeader.of(EventHeaders.CONTENT_TYPE, contentType));
        }
        for (Map.Entry<String, String> h : own.entrySet()) {
            String name = h.getKey();
            if (!name.equals(EventHeaders.EVENT_TYPE) && !name.equals(EventHeaders.EVENT_ID)
                    && !name.equals(EventHeaders.PRODUCED_AT)
                    && !(contentType != null && name.equals(EventHeaders.CONTENT_TYPE))) {
                headers.add(MessageHeader.of(name, h.getValue()));
            }
        }
        return new OutboundMessage(topic, event.key(), value, headers);
    }

    /**
     * @param name header name
     * @return the last value of the header as UTF-8, or {@code null}
     */
    public String header(String name) {
        for (int i = headers.size() - 1; i >= 0; i--) {
            if (headers.get(i).key().equals(name)) {
                return headers.get(i).valueAsString();
            }
        }
        return null;
    }

    /**
     * A copy with {@code extra} headers appended, each replacing every header of the same name, e.g. the
     * trace context of the operation that sends it.
     *
     * @param extra the headers to set; empty gives this message
     * @return the message with them
     */
    public OutboundMessage withHeaders(Map<String, String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        List<MessageHeader> merged = new ArrayList<>(headers.size() + extra.size());
        for (MessageHeader h : headers) {
            if (!extra.containsKey(h.key())) {
                merged.add(h);
            }
        }
        extra.forEach((name, value) -> merged.add(MessageHeader.of(name, value)));
        return new OutboundMessage(topic, key, value, merged);
    }

    /** @return the key as UTF-8 bytes, or {@code null} */
    public byte[] keyBytes() {
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }
}
