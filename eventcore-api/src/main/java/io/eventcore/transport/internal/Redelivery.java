package io.eventcore.transport.internal;

import io.eventcore.routing.DispatchResult;
import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Internal, not API. Headers for redelivering a message after {@code RETRY_LATER}: the original
 * headers with the attempt counter, first-failure time and due time replaced.
 */
public final class Redelivery {
    private Redelivery() {
    }

    /**
     * @param message the message that failed
     * @param result its {@code RETRY_LATER} result
     * @param now the current time
     * @return the headers of the redelivered copy
     */
    public static List<MessageHeader> headers(InboundMessage message, DispatchResult result, Instant now) {
        List<MessageHeader> headers = new ArrayList<>(message.headers().size() + 3);
        for (MessageHeader h : message.headers()) {
            String k = h.key();
            if (!k.equals(EventHeaders.ATTEMPT) && !k.equals(EventHeaders.FIRST_FAILURE_AT)
                    && !k.equals(EventHeaders.DUE_AT)) {
                headers.add(h);
            }
        }
        headers.add(MessageHeader.of(EventHeaders.ATTEMPT, Integer.toString(result.attempts() + 1)));
        headers.add(MessageHeader.of(EventHeaders.FIRST_FAILURE_AT,
                DateTimeFormatter.ISO_INSTANT.format(result.firstFailureAt().orElse(now))));
        headers.add(MessageHeader.of(EventHeaders.DUE_AT,
                DateTimeFormatter.ISO_INSTANT.format(now.plus(result.delay()))));
        return headers;
    }
}
