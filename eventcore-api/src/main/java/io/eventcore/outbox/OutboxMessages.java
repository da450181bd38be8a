package io.eventcore.outbox;

import io.eventcore.EventHeaders;
import io.eventcore.MessageHeader;
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
 * replaces a standard one). Stateless apart from the naming strategy; thread-safe.
 */
final class OutboxMessages {
    private final TopicNaming topicNaming;

    OutboxMessages(TopicNaming topicNaming) {
        this.topicNaming = topicNaming;
    }

    OutboundMessage toMessage(OutboxRecord row) {
        String topic = row.topic() != null ? row.topic()
                : topicNaming.topicFor(row.eventType(), row.aggregateType(), row.aggregateId());
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
        return new OutboundMessage(topic, row.aggregateId(), row.payload(), headers);
    }
}
