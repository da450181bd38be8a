package io.eventcore.transport.internal;

import io.eventcore.routing.DispatchResult;
import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.internal.EventIds;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Internal, not API. Headers for redelivering a message after {@code RETRY_LATER}: the original
 * headers with the attempt counter, first-failure time and due time replaced, the event id added
 * when the message had none (so the copy keeps the id derived from the original position), and
 * the original position ({@link EventHeaders#ORIGINAL_TOPIC} and friends) of the message.
 */
public final class Redelivery {
    private static final Set<String> REPLACED = Set.of(EventHeaders.ATTEMPT, EventHeaders.FIRST_FAILURE_AT,
            EventHeaders.DUE_AT, EventHeaders.ORIGINAL_TOPIC, EventHeaders.ORIGINAL_PARTITION,
            EventHeaders.ORIGINAL_OFFSET);

    private Redelivery() {
    }

    /**
     * @param message the message that failed; a transport hands a redelivered copy over with its
     *     original position, so this is the original position
     * @param result its {@code RETRY_LATER} result
     * @param now the current time
     * @return the headers of the redelivered copy
     */
    public static List<MessageHeader> headers(InboundMessage message, DispatchResult result, Instant now) {
        List<MessageHeader> headers = new ArrayList<>(message.headers().size() + 7);
        String id = message.header(EventHeaders.EVENT_ID);
        if (id == null || id.isBlank()) {
            headers.add(MessageHeader.of(EventHeaders.EVENT_ID, EventIds.of(message)));
        }
        for (MessageHeader h : message.headers()) {
            boolean blankId = h.key().equals(EventHeaders.EVENT_ID) && (id == null || id.isBlank());
            if (!REPLACED.contains(h.key()) && !blankId) {
                headers.add(h);
            }
        }
        headers.add(MessageHeader.of(EventHeaders.ATTEMPT, Integer.toString(result.attempts() + 1)));
        headers.add(MessageHeader.of(EventHeaders.FIRST_FAILURE_AT,
                DateTimeFormatter.ISO_INSTANT.format(result.firstFailureAt().orElse(now))));
        headers.add(MessageHeader.of(EventHeaders.DUE_AT,
                DateTimeFormatter.ISO_INSTANT.format(now.plus(result.delay()))));
        if (message.offset() >= 0) {
            headers.add(MessageHeader.of(EventHeaders.ORIGINAL_TOPIC, message.topic()));
            headers.add(MessageHeader.of(EventHeaders.ORIGINAL_PARTITION, Integer.toString(message.partition())));
            headers.add(MessageHeader.of(EventHeaders.ORIGINAL_OFFSET, Long.toString(message.offset())));
        }
        return headers;
    }
}
