package io.eventcore.deadletter;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;

import io.eventcore.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message that could not be handled, with everything needed to diagnose and redrive it: the
 * original key, value and headers byte for byte, where it came from, and why it failed.
 *
 * <p>Built with {@link #builder()}; {@link Builder#source(InboundMessage)} and
 * {@link Builder#failure(Throwable)} fill the message and failure fields in one call each.
 * Immutable and thread-safe. The stack trace is capped at {@value #MAX_STACK_TRACE_BYTES} bytes
 * of UTF-8 so a dead letter stays well inside broker message limits; each throwable of the
 * cause chain contributes at most 12 frames, so the root cause is kept.
 */
public final class DeadLetter {

    /** Cap of {@link #stackTrace()}, in UTF-8 bytes: {@value}. */
    public static final int MAX_STACK_TRACE_BYTES = 8 * 1024;
    private static final int FRAMES_PER_CAUSE = 12;

    private final byte[] key;
    private final byte[] value;
    private final List<MessageHeader> headers;
    private final String topic;
    private final int partition;
    private final long offset;
    private final Instant timestamp;
    private final String consumerGroup;
    private final String eventId;
    private final String eventType;
    private final String handlerName;
    private final String exceptionClass;
    private final String rootCauseClass;
    private final String message;
    private final String stackTrace;
    private final int attempts;
    private final Instant firstFailureAt;
    private final Instant lastFailureAt;

    private DeadLetter(Builder b) {
        this.key = b.key;
        this.value = b.value;
        this.headers = b.headers == null ? List.of() : b.headers;
        this.topic = require(b.topic, "topic");
        this.partition = b.partition == null ? -1 : b.partition;
        this.offset = b.offset == null ? -1 : b.offset;
        this.timestamp = b.timestamp;
        this.consumerGroup = b.consumerGroup;
        this.eventId = b.eventId;
        this.eventType = b.eventType;
        this.handlerName = b.handlerName;
        this.exceptionClass = require(b.exceptionClass, "exceptionClass");
        this.rootCauseClass = require(b.rootCauseClass, "rootCauseClass");
        this.message = b.message;
        this.stackTrace = Checks.capUtf8(b.stackTrace, MAX_STACK_TRACE_BYTES);
        this.attempts = b.attempts == null ? 0 : b.attempts;
        this.firstFailureAt = require(b.firstFailureAt, "firstFailureAt");
        this.lastFailureAt = require(b.lastFailureAt, "lastFailureAt");
    }

    private static <V> V require(V value, String setting) {
        if (value == null) {
            throw new IllegalStateException(setting + " is required but was not set");
        }
        return value;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return original key bytes, may be {@code null} */
    public byte[] key() {
        return key;
    }

    /** @return original value bytes, may be {@code null} */
    public byte[] value() {
        return value;
    }

    /** @return original headers in order (dead-letter headers of an earlier failure excluded); never {@code null} */
    public List<MessageHeader> headers() {
        return headers;
    }

    /** @return source topic */
    public String topic() {
        return topic;
    }

    /** @return source partition, -1 when unknown */
    public int partition() {
        return partition;
    }

    /** @return source offset (or outbox row id), -1 when unknown */
    public long offset() {
        return offset;
    }

    /** @return source timestamp, may be {@code null} */
    public Instant timestamp() {
        return timestamp;
    }

    /** @return consuming group, may be {@code null} */
    public String consumerGroup() {
        return consumerGroup;
    }

    /** @return the event id when known, else {@code null} */
    public String eventId() {
        return eventId;
    }

    /** @return the event type when resolved, else {@code null} */
    public String eventType() {
        return eventType;
    }

    /** @return the handler the event was routed to, or {@code null} when unroutable */
    public String handlerName() {
        return handlerName;
    }

    /** @return class name of the final failure */
    public String exceptionClass() {
        return exceptionClass;
    }

    /** @return class name of the deepest cause of the final failure */
    public String rootCauseClass() {
        return rootCauseClass;
    }

    /** @return message of the final failure, may be {@code null} */
    public String message() {
        return message;
    }

    /** @return stack trace of the final failure, at most {@value #MAX_STACK_TRACE_BYTES} bytes of UTF-8, may be {@code null} */
    public String stackTrace() {
        return stackTrace;
    }

    /** @return attempts made, &gt;= 0 (0 when the message was never handed to a handler) */
    public int attempts() {
        return attempts;
    }

    /** @return time of the first failed attempt */
    public Instant firstFailureAt() {
        return firstFailureAt;
    }

    /** @return time of the last failed attempt */
    public Instant lastFailureAt() {
        return lastFailureAt;
    }

    /**
     * @param failure a throwable
     * @return the deepest cause in its chain (cycles are cut)
     */
    public static Throwable rootCause(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        Throwable t = failure;
        while (t.getCause() != null && seen.put(t, Boolean.TRUE) == null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Renders the cause chain with a bounded number of frames per throwable, so the root cause
     * survives the size cap even under deep framework stacks.
     */
    static String stackTraceOf(Throwable failure) {
        StringBuilder out = new StringBuilder(2048);
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 8 && seen.put(t, Boolean.TRUE) == null;
                t = t.getCause(), depth++) {
            out.append(depth == 0 ? "" : "Caused by: ").append(t).append('\n');
            StackTraceElement[] frames = t.getStackTrace();
            int shown = Math.min(frames.length, FRAMES_PER_CAUSE);
            for (int i = 0; i < shown; i++) {
                out.append("\tat ").append(frames[i]).append('\n');
            }
            if (frames.length > shown) {
                out.append("\t... ").append(frames.length - shown).append(" more\n");
            }
        }
        return out.toString();
    }

    /** @return the value as UTF-8 text, for logs and tests; {@code null} for a null value */
    public String valueAsString() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + topic + "-" + partition + "@" + offset + ", eventId=" + eventId + ", eventType="
                + eventType + ", handler=" + handlerName + ", attempts=" + attempts + ", exception=" + exceptionClass
                + ", rootCause=" + rootCauseClass + ", message=" + message + '}';
    }

    /**
     * Builds a {@link DeadLetter}. Each setting may be made once ({@link IllegalStateException}
     * otherwise, naming it); {@link #source(InboundMessage)} and {@link #failure(Throwable)} count
     * as setting every field they fill. Required: {@code topic}, {@code exceptionClass},
     * {@code rootCauseClass}, {@code firstFailureAt}, {@code lastFailureAt}; defaults: partition
     * and offset -1, attempts 0, no headers. Not thread-safe.
     */
    public static final class Builder {
        private byte[] key;
        private byte[] value;
        private List<MessageHeader> headers;
        private String topic;
        private Integer partition;
        private Long offset;
        private Instant timestamp;
        private String consumerGroup;
        private String eventId;
        private String eventType;
        private String handlerName;
        private String exceptionClass;
        private String rootCauseClass;
        private String message;
        private String stackTrace;
        private Integer attempts;
        private Instant firstFailureAt;
        private Instant lastFailureAt;

        private Builder() {
        }

        /**
         * Copies key, value, headers (without dead-letter headers of an earlier failure, so they
         * never pile up), topic, partition, offset, timestamp and consumer group from the message.
         *
         * @param source the original message
         * @return this builder
         */
        public Builder source(InboundMessage source) {
            Objects.requireNonNull(source, "source");
            return key(source.key()).value(source.value())
                    .headers(source.headers().stream()
                            .filter(h -> !h.key().startsWith(EventHeaders.DEAD_LETTER_PREFIX))
                            .toList())
                    .topic(source.topic()).partition(source.partition()).offset(source.offset())
                    .timestamp(source.timestamp()).consumerGroup(source.consumerGroup());
        }

        /**
         * Sets exception class, root-cause class, message and the capped stack trace from a failure.
         *
         * @param failure the final failure
         * @return this builder
         */
        public Builder failure(Throwable failure) {
            Objects.requireNonNull(failure, "failure");
            return exceptionClass(failure.getClass().getName())
                    .rootCauseClass(rootCause(failure).getClass().getName())
                    .message(failure.getMessage())
                    .stackTrace(stackTraceOf(failure));
        }

        /**
         * @param key original key bytes, may be {@code null}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder key(byte[] key) {
            if (this.key != null) {
                throw new IllegalStateException("key was already set");
            }
            this.key = key;
            return this;
        }

        /**
         * @param value original value bytes, may be {@code null}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder value(byte[] value) {
            if (this.value != null) {
                throw new IllegalStateException("value was already set");
            }
            this.value = value;
            return this;
        }

        /**
         * @param headers original headers in order (dead-letter headers of an earlier failure excluded); never {@code null}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder headers(List<MessageHeader> headers) {
            this.headers = Checks.once("headers", this.headers, List.copyOf(Objects.requireNonNull(headers, "headers")));
            return this;
        }

        /**
         * @param topic source topic
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder topic(String topic) {
            this.topic = Checks.once("topic", this.topic, topic);
            return this;
        }

        /**
         * @param partition source partition, -1 when unknown
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder partition(int partition) {
            this.partition = Checks.once("partition", this.partition, partition);
            return this;
        }

        /**
         * @param offset source offset (or outbox row id), -1 when unknown
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder offset(long offset) {
            this.offset = Checks.once("offset", this.offset, offset);
            return this;
        }

        /**
         * @param timestamp source timestamp, may be {@code null}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder timestamp(Instant timestamp) {
            this.timestamp = Checks.once("timestamp", this.timestamp, timestamp);
            return this;
        }

        /**
         * @param consumerGroup consuming group, may be {@code null}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder consumerGroup(String consumerGroup) {
            this.consumerGroup = Checks.once("consumerGroup", this.consumerGroup, consumerGroup);
            return this;
        }

        /**
         * @param eventId the event id when known, else {@code null}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder eventId(String eventId) {
            this.eventId = Checks.once("eventId", this.eventId, eventId);
            return this;
        }

        /**
         * @param eventType the event type when resolved, else {@code null}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder eventType(String eventType) {
            this.eventType = Checks.once("eventType", this.eventType, eventType);
            return this;
        }

        /**
         * @param handlerName the handler the event was routed to, or {@code null} when unroutable
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder handlerName(String handlerName) {
            this.handlerName = Checks.once("handlerName", this.handlerName, handlerName);
            return this;
        }

        /**
         * @param exceptionClass class name of the final failure
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder exceptionClass(String exceptionClass) {
            this.exceptionClass = Checks.once("exceptionClass", this.exceptionClass, exceptionClass);
            return this;
        }

        /**
         * @param rootCauseClass class name of the deepest cause of the final failure
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder rootCauseClass(String rootCauseClass) {
            this.rootCauseClass = Checks.once("rootCauseClass", this.rootCauseClass, rootCauseClass);
            return this;
        }

        /**
         * @param message message of the final failure, may be {@code null}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder message(String message) {
            this.message = Checks.once("message", this.message, message);
            return this;
        }

        /**
         * @param stackTrace stack trace of the final failure, at most {@value #MAX_STACK_TRACE_BYTES} bytes of UTF-8, may be {@code null}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder stackTrace(String stackTrace) {
            this.stackTrace = Checks.once("stackTrace", this.stackTrace, stackTrace);
            return this;
        }

        /**
         * @param attempts attempts made, &gt;= 0 (0 when the message was never handed to a handler)
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder attempts(int attempts) {
            this.attempts = Checks.once("attempts", this.attempts, Checks.atLeast("attempts", attempts, 0));
            return this;
        }

        /**
         * @param firstFailureAt time of the first failed attempt
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder firstFailureAt(Instant firstFailureAt) {
            this.firstFailureAt = Checks.once("firstFailureAt", this.firstFailureAt, firstFailureAt);
            return this;
        }

        /**
         * @param lastFailureAt time of the last failed attempt
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder lastFailureAt(Instant lastFailureAt) {
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
}
