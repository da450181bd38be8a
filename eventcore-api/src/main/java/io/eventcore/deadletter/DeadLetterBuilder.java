package io.eventcore.deadletter;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.internal.Checks;
import io.eventcore.PayloadValidationException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Builds a {@link DeadLetter}. Each setting may be made once ({@link IllegalStateException}
 * otherwise, naming it); {@link #source(InboundMessage)} and {@link #failure(Throwable)} count
 * as setting every field they fill. Required: {@code topic}, {@code exceptionClass},
 * {@code rootCauseClass}, {@code firstFailureAt}, {@code lastFailureAt}; defaults: partition
 * and offset -1, attempts 0, no headers. Not thread-safe.
 */
public final class DeadLetterBuilder {
    byte[] key;
    byte[] value;
    List<MessageHeader> headers;
    String topic;
    Integer partition;
    Long offset;
    Instant timestamp;
    String consumerGroup;
    String eventId;
    String eventType;
    String handlerName;
    String exceptionClass;
    String rootCauseClass;
    String message;
    String stackTrace;
    Integer attempts;
    Instant firstFailureAt;
    Instant lastFailureAt;
    String violations;

    DeadLetterBuilder() {
    }

    /**
     * Copies key, value, headers (without dead-letter headers of an earlier failure, so they
     * never pile up), topic, partition, offset, timestamp and consumer group from the message.
     *
     * @param source the original message
     * @return this builder
     */
    public DeadLetterBuilder source(InboundMessage source) {
        Objects.requireNonNull(source, "source");
        return key(source.key()).value(source.value())
                .headers(source.headers().stream()
                        .filter(h -> !h.key().startsWith(EventHeaders.DEAD_LETTER_PREFIX))
                        .toList())
                .topic(source.topic()).partition(source.partition()).offset(source.offset())
                .timestamp(source.timestamp()).consumerGroup(source.consumerGroup());
    }

    /**
     * Sets exception class, root-cause class, message and the capped stack trace from a failure,
     * and the {@link #violations(String) violations} when the failure or one of its causes is a
     * {@link PayloadValidationException}.
     *
     * @param failure the final failure
     * @return this builder
     */
    public DeadLetterBuilder failure(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PayloadValidationException invalid) {
                violations(invalid.violationsAsJson());
                break;
            }
        }
        return exceptionClass(failure.getClass().getName())
                .rootCauseClass(DeadLetter.rootCause(failure).getClass().getName())
                .message(failure.getMessage())
                .stackTrace(DeadLetter.stackTraceOf(failure));
    }

    /**
     * @param json the constraints the payload broke, as {@link DeadLetter#violations()} describes; may be {@code null}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder violations(String json) {
        this.violations = Checks.once("violations", this.violations, json);
        return this;
    }

    /**
     * @param key original key bytes, may be {@code null}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder key(byte[] key) {
        this.key = Checks.once("key", this.key, key);
        return this;
    }

    /**
     * @param value original value bytes, may be {@code null}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder value(byte[] value) {
        this.value = Checks.once("value", this.value, value);
        return this;
    }

    /**
     * @param headers original headers in order (dead-letter headers of an earlier failure excluded); never {@code null}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder headers(List<MessageHeader> headers) {
        this.headers = Checks.once("headers", this.headers, List.copyOf(Objects.requireNonNull(headers, "headers")));
        return this;
    }

    /**
     * @param topic source topic
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder topic(String topic) {
        this.topic = Checks.once("topic", this.topic, topic);
        return this;
    }

    /**
     * @param partition source partition, -1 when unknown
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder partition(int partition) {
        this.partition = Checks.once("partition", this.partition, partition);
        return this;
    }

    /**
     * @param offset source offset (or outbox row id), -1 when unknown
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder offset(long offset) {
        this.offset = Checks.once("offset", this.offset, offset);
        return this;
    }

    /**
     * @param timestamp source timestamp, may be {@code null}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder timestamp(Instant timestamp) {
        this.timestamp = Checks.once("timestamp", this.timestamp, timestamp);
        return this;
    }

    /**
     * @param consumerGroup consuming group, may be {@code null}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder consumerGroup(String consumerGroup) {
        this.consumerGroup = Checks.once("consumerGroup", this.consumerGroup, consumerGroup);
        return this;
    }

    /**
     * @param eventId the event id when known, else {@code null}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder eventId(String eventId) {
        this.eventId = Checks.once("eventId", this.eventId, eventId);
        return this;
    }

    /**
     * @param eventType the event type when resolved, else {@code null}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder eventType(String eventType) {
        this.eventType = Checks.once("eventType", this.eventType, eventType);
        return this;
    }

    /**
     * @param handlerName the handler the event was routed to, or {@code null} when unroutable
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder handlerName(String handlerName) {
        this.handlerName = Checks.once("handlerName", this.handlerName, handlerName);
        return this;
    }

    /**
     * @param exceptionClass class name of the final failure
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder exceptionClass(String exceptionClass) {
        this.exceptionClass = Checks.once("exceptionClass", this.exceptionClass, exceptionClass);
        return this;
    }

    /**
     * @param rootCauseClass class name of the deepest cause of the final failure
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder rootCauseClass(String rootCauseClass) {
        this.rootCauseClass = Checks.once("rootCauseClass", this.rootCauseClass, rootCauseClass);
        return this;
    }

    /**
     * @param message message of the final failure, may be {@code null}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder message(String message) {
        this.message = Checks.once("message", this.message, message);
        return this;
    }

    /**
     * @param stackTrace stack trace of the final failure, at most {@value DeadLetter#MAX_STACK_TRACE_BYTES} bytes of UTF-8, may be {@code null}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder stackTrace(String stackTrace) {
        this.stackTrace = Checks.once("stackTrace", this.stackTrace, stackTrace);
        return this;
    }

    /**
     * @param attempts attempts made, &gt;= 0 (0 when the message was never handed to a handler)
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder attempts(int attempts) {
        this.attempts = Checks.once("attempts", this.attempts, Checks.atLeast("attempts", attempts, 0));
        return this;
    }

    /**
     * @param firstFailureAt time of the first failed attempt
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder firstFailureAt(Instant firstFailureAt) {
        this.firstFailureAt = Checks.once("firstFailureAt", this.firstFailureAt, firstFailureAt);
        return this;
    }

    /**
     * @param lastFailureAt time of the last failed attempt
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public DeadLetterBuilder lastFailureAt(Instant lastFailureAt) {
        this.lastFailureAt = Checks.once("lastFailureAt", this.lastFailureAt, lastFailureAt);
        return this;
    }

    /**
     * @return the dead letter
     * @throws IllegalStateException naming the first required setting that is missing
     */
    public DeadLetter build() {
        return new DeadLetter(this);
    }
}
