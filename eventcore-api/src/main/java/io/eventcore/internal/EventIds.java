package io.eventcore.internal;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Internal, not API. The id of an inbound event: its {@value EventHeaders#EVENT_ID} header, else a
 * name-based UUID of its source position (topic, partition, offset), so an event without an id keeps
 * the same one across redeliveries of that record. Transports that copy a message elsewhere (retry
 * topics) write this id into the copy's header, so the copy keeps it too.
 */
public final class EventIds {
    private EventIds() {
    }

    /**
     * @param message the inbound message
     * @return its event id; a random UUID when it has neither an id header nor a position
     */
    public static String of(InboundMessage message) {
        String id = message.header(EventHeaders.EVENT_ID);
        if (id != null && !id.isBlank()) {
            return id;
        }
        if (message.offset() < 0) {
            return UUID.randomUUID().toString();
        }
        String position = message.topic() + "/" + message.partition() + "/" + message.offset();
        return UUID.nameUUIDFromBytes(position.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
