package io.eventcore.deadletter;

import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;

import io.eventcore.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A message that could not be handled, with everything needed to diagnose and redrive it: the
 * original key, value and headers byte for byte, where it came from, and why it failed.
 *
 * <p>Built with {@link #builder()}; {@link DeadLetterBuilder#source(InboundMessage)} and
 * {@link DeadLetterBuilder#failure(Throwable)} fill the message and failure fields in one call each.
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
    private final String violations;

    DeadLetter(DeadLetterBuilder b) {
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
        this.violations = b.violations;
    }

    private static <V> V require(V value, String setting) {
        if (value == null) {
            throw new IllegalStateException(setting + " is required but was not set");
        }
        return value;
    }

    /** @return a new builder */
    public static DeadLetterBuilder builder() {
        return new DeadLetterBuilder();
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

    /**
     * @return the constraints the payload broke, as a JSON array of {@code {"path", "message"}}
     *         objects ({@link io.eventcore.PayloadValidationException#violationsAsJson()});
     *         {@code null} unless the failure was a payload validation
     */
    public String violations() {
        return violations;
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
}
