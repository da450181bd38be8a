package io.eventcore.outbox;

import io.eventcore.EventHeaders;
import io.eventcore.MessageHeader;
import io.eventcore.NonRetryableException;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.TopicNaming;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a stored row into the message the relay sends: topic from the row's override or the naming
 * strategy, key = aggregate id, the standard headers first and then the row's own (a row header never
 * replaces a standard one). A topic naming that throws or gives no topic makes the row unsendable for
 * good ({@link NonRetryableException}). Stateless apart from the naming strategy; thread-safe.
 */
final class OutboxMessages {
    private final TopicNaming topicNaming;

    OutboxMessages(TopicNaming topicNaming) {
        this.topicNaming = topicNaming;
    }

    /**
     * @throws NonRetryableException if the naming gives no topic or throws: the row can never be sent
     */
    OutboundMessage toMessage(OutboxRecord row) {
        return new OutboundMessage(topic(row), row.aggregateId(), row.payload(), headers(row));
    }

    /**
     * @return the row's topic
     * @throws NonRetryableException if the naming gives none (null, blank) or throws
     */
    String topic(OutboxRecord row) {
        if (row.topic() != null) {
            return row.topic();
        }
        String topic;
        try {
            topic = topicNaming.topicFor(row.eventType(), row.aggregateType(), row.aggregateId());
        } catch (RuntimeException e) {
            throw new NonRetryableException("topic naming failed for outbox row " + row.id() + " (event type "
                    + row.eventType() + ", aggregate type " + row.aggregateType() + "): " + e, e);
        }
        if (topic == null || topic.isBlank()) {
            throw new NonRetryableException("topic naming gave no topic for outbox row " + row.id() + " (event type "
                    + row.eventType() + ", aggregate type " + row.aggregateType() + ")");
        }
        return topic;
    }

    /** @return the standard headers, then the row's own; never throws for a stored row */
    List<MessageHeader> headers(OutboxRecord row) {
        List<MessageHeader> headers = new ArrayList<>(row.headers().size() + 5);
        headers.add(MessageHeader.of(EventHeaders.EVENT_TYPE, row.eventType()));
        headers.add(MessageHeader.of(EventHeaders.EVENT_ID, row.eventId()));
        headers.add(MessageHeader.of(EventHeaders.PRODUCED_AT, DateTimeFormatter.ISO_INSTANT.format(row.createdAt())));
        headers.add(MessageHeader.of(EventHeaders.AGGREGATE_TYPE, row.aggregateType()));
        if (row.aggregateId() != null) {
            headers.add(MessageHeader.of(EventHeaders.AGGREGATE_ID, row.aggregateId()));
        }
        Set<String> standard = new HashSet<>();
        for (MessageHeader h : headers) {
            standard.add(h.key());
        }
        for (Map.Entry<String, String> h : row.headers().entrySet()) {
            if (!standard.contains(h.getKey())) {
                headers.add(MessageHeader.of(h.getKey(), h.getValue()));
            }
        }
        return headers;
    }
}
