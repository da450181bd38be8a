package io.eventcore;


/**
 * Names of the headers eventcore reads and writes. Transports carry them as message headers
 * (UTF-8 values); the outbox writes them for every relayed event.
 */
public final class EventHeaders {
    /** The event type, e.g. {@code OrderCreated}; the router's first source of type resolution. */
    public static final String EVENT_TYPE = "event_type";
    /** The event's unique id (a UUID string); stable across redeliveries, used for deduplication. */
    public static final String EVENT_ID = "event_id";
    /** When the event was produced, ISO-8601 instant ({@code 2026-01-31T10:15:30Z}). */
    public static final String PRODUCED_AT = "produced_at";
    /** W3C trace context ({@code 00-<trace-id>-<span-id>-<flags>}). */
    public static final String TRACEPARENT = "traceparent";
    /**
     * The media type of the payload bytes, from {@code EventCodec.contentType()} of the codec that
     * encoded them, e.g. {@code application/json}.
     */
    public static final String CONTENT_TYPE = "content_type";
    /** The outbox aggregate type, e.g. {@code Order}. */
    public static final String AGGREGATE_TYPE = "aggregate_type";
    /** The outbox aggregate id; also the message key. */
    public static final String AGGREGATE_ID = "aggregate_id";

    /**
     * Delivery attempt of a redelivered message (1 for the first delivery). Written by transports
     * that implement {@link io.eventcore.retry.RetryMode#REDELIVER}, so attempt counts survive restarts.
     */
    public static final String ATTEMPT = "eventcore_attempt";
    /** ISO-8601 instant of the first failed attempt of a redelivered message. */
    public static final String FIRST_FAILURE_AT = "eventcore_first_failure_at";
    /** ISO-8601 instant before which a redelivered message must not be handled. */
    public static final String DUE_AT = "eventcore_due_at";
    /**
     * Topic the redelivered message was first consumed from. A transport that redelivers through
     * another topic (Kafka retry topics) writes the original position into the copy and hands the
     * copy over with that position, so its event id, its dead letter ({@code <original topic>.dlq},
     * original position in the dead-letter headers) and a later redrive all refer to the original.
     */
    public static final String ORIGINAL_TOPIC = "eventcore_original_topic";
    /** Partition the redelivered message was first consumed from; see {@link #ORIGINAL_TOPIC}. */
    public static final String ORIGINAL_PARTITION = "eventcore_original_partition";
    /** Offset the redelivered message was first consumed from; see {@link #ORIGINAL_TOPIC}. */
    public static final String ORIGINAL_OFFSET = "eventcore_original_offset";

    /**
     * Prefix of every dead-letter header ({@code eventcore_dlq_topic}, {@code eventcore_dlq_exception},
     * ...). Headers with this prefix are replaced, never accumulated, when a message is dead-lettered
     * again, and stripped when it is redriven.
     */
    public static final String DEAD_LETTER_PREFIX = "eventcore_dlq_";

    private EventHeaders() {
    }
}
