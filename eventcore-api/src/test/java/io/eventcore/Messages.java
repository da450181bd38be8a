package io.eventcore;

import java.time.Instant;

/** Builds inbound test messages. */
final class Messages {
    private Messages() {
    }

    static InboundMessage json(String type, String key, String json) {
        return json(type, key, json, 7L);
    }

    static InboundMessage json(String type, String key, String json, long offset) {
        InboundMessage.Builder b = InboundMessage.builder("orders").key(key).value(json).partition(2).offset(offset)
                .timestamp(Instant.parse("2026-03-01T10:00:00Z")).consumerGroup("billing")
                .header(EventHeaders.EVENT_ID, "id-" + offset);
        if (type != null) {
            b.header(EventHeaders.EVENT_TYPE, type);
        }
        return b.build();
    }
}
