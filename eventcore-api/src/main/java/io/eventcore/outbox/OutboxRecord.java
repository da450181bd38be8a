package io.eventcore.outbox;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One stored outbox row, as an {@link OutboxStore} hands it to the relay.
 *
 * @param id the store's sequence number; within one key, rows are published in ascending id order
 * @param eventId the unique event id
 * @param aggregateType the aggregate type
 * @param aggregateId the aggregate id (the ordering and message key), may be {@code null}
 * @param eventType the event type
 * @param topic the topic override, or {@code null}
 * @param headers extra headers stored with the event
 * @param payload the encoded payload
 * @param createdAt when the event was appended (or when it happened, if the event said so)
 * @param attempts failed publish attempts so far
 * @param lastError the last publish failure, or {@code null}
 */
public record OutboxRecord(long id, String eventId, String aggregateType, String aggregateId, String eventType,
        String topic, Map<String, String> headers, byte[] payload, Instant createdAt, int attempts,
        String lastError) {

    /**
     * Validates and copies.
     *
     * @param id the store's sequence number; within one key, rows are published in ascending id order
     * @param eventId the unique event id
     * @param aggregateType the aggregate type
     * @param aggregateId the aggregate id (the ordering and message key), may be {@code null}
     * @param eventType the event type
     * @param topic the topic override, or {@code null}
     * @param headers extra headers stored with the event
     * @param payload the encoded payload
     * @param createdAt when the event was appended (or when it happened, if the event said so)
     * @param attempts failed publish attempts so far
     * @param lastError the last publish failure, or {@code null}
     */
    public OutboxRecord {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(createdAt, "createdAt");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /**
     * @param failures how many failures to add
     * @param error the last error
     * @return a copy with more attempts and the new error
     */
    public OutboxRecord failed(int failures, String error) {
        return new OutboxRecord(id, eventId, aggregateType, aggregateId, eventType, topic, headers, payload,
                createdAt, attempts + failures, error);
    }

    @Override
    public String toString() {
        return "OutboxRecord{#" + id + ' ' + eventType + ", id=" + eventId + ", aggregate=" + aggregateType + '/'
                + aggregateId + ", attempts=" + attempts + '}';
    }
}
