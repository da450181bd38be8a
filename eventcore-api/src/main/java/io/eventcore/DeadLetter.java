package io.eventcore;

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
 * <p>Immutable and thread-safe. The stack trace is capped at {@value #MAX_STACK_TRACE_BYTES} bytes
 * of UTF-8 so a dead letter stays well inside broker message limits; each throwable of the
 * cause chain contributes at most 12 frames, so the root cause is kept.
 *
 * @param key original key bytes, may be {@code null}
 * @param value original value bytes, may be {@code null}
 * @param headers original headers in order (dead-letter headers of an earlier failure excluded)
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset, -1 when unknown
 * @param timestamp source timestamp, may be {@code null}
 * @param consumerGroup consuming group, may be {@code null}
 * @param eventId the event id when known, else {@code null}
 * @param eventType the event type when resolved, else {@code null}
 * @param handlerName the handler the event was routed to, or {@code null} when unroutable
 * @param exceptionClass class name of the final failure
 * @param rootCauseClass class name of the deepest cause of the final failure
 * @param message message of the final failure (may be {@code null})
 * @param stackTrace stack trace of the final failure, at most {@value #MAX_STACK_TRACE_BYTES} bytes
 * @param attempts attempts made, &gt;= 0 (0 when the message was never handed to a handler)
 * @param firstFailureAt time of the first failed attempt
 * @param lastFailureAt time of the last failed attempt
 */
public record DeadLetter(byte[] key, byte[] value, List<MessageHeader> headers, String topic, int partition,
        long offset, Instant timestamp, String consumerGroup, String eventId, String eventType, String handlerName,
        String exceptionClass, String rootCauseClass, String message, String stackTrace, int attempts,
        Instant firstFailureAt, Instant lastFailureAt) {

    /** Cap of {@link #stackTrace()}, in UTF-8 bytes: {@value}. */
    public static final int MAX_STACK_TRACE_BYTES = 8 * 1024;
    private static final int FRAMES_PER_CAUSE = 12;

    /**
     * Validates the arguments and copies the headers.
     *
     * @throws NullPointerException if a required field is {@code null}
     */
    public DeadLetter {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(exceptionClass, "exceptionClass");
        Objects.requireNonNull(rootCauseClass, "rootCauseClass");
        Objects.requireNonNull(firstFailureAt, "firstFailureAt");
        Objects.requireNonNull(lastFailureAt, "lastFailureAt");
        headers = List.copyOf(headers);
        stackTrace = capUtf8(stackTrace, MAX_STACK_TRACE_BYTES);
    }

    /**
     * Builds a dead letter from a message and the failure that ended its handling.
     *
     * @param source the original message
     * @param failure the final failure
     * @param eventId event id, may be {@code null}
     * @param eventType event type, may be {@code null}
     * @param handlerName handler name, may be {@code null}
     * @param attempts attempts made
     * @param firstFailureAt first failure time
     * @param lastFailureAt last failure time
     * @return the dead letter
     */
    public static DeadLetter of(InboundMessage source, Throwable failure, String eventId, String eventType,
            String handlerName, int attempts, Instant firstFailureAt, Instant lastFailureAt) {
        List<MessageHeader> original = source.headers().stream()
                .filter(h -> !h.key().startsWith(EventHeaders.DEAD_LETTER_PREFIX))
                .toList();
        return new DeadLetter(source.key(), source.value(), original, source.topic(), source.partition(),
                source.offset(), source.timestamp(), source.consumerGroup(), eventId, eventType, handlerName,
                failure.getClass().getName(), rootCause(failure).getClass().getName(), failure.getMessage(),
                stackTraceOf(failure), attempts, firstFailureAt, lastFailureAt);
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
    private static String stackTraceOf(Throwable failure) {
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

    static String capUtf8(String s, int maxBytes) {
        if (s == null) {
            return null;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return s;
        }
        // Cut on a character boundary: drop continuation bytes (10xxxxxx) at the cut.
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
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
