package io.eventcore;

import java.util.List;

/**
 * A decoded payload broke one or more constraints. Never retried: the same payload breaks them
 * again. When the router dead-letters the message, the dead letter carries the violations
 * ({@link io.eventcore.deadletter.DeadLetter#violations()}), which the Kafka dead-letter sink writes
 * as the {@code eventcore_dlq_violations} header.
 */
public class PayloadValidationException extends NonRetryableException {
    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;

    /**
     * @param eventType the event type whose payload was invalid, may be {@code null}
     * @param violations what is wrong, at least one
     * @throws IllegalArgumentException if {@code violations} is empty
     */
    public PayloadValidationException(String eventType, List<Violation> violations) {
        super(describe(eventType, violations), null, null, eventType);
        this.violations = List.copyOf(violations);
    }

    private static String describe(String eventType, List<Violation> violations) {
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("a PayloadValidationException needs at least one violation");
        }
        StringBuilder s = new StringBuilder("payload of ").append(eventType).append(" breaks ")
                .append(violations.size()).append(violations.size() == 1 ? " constraint: " : " constraints: ");
        for (int i = 0; i < violations.size(); i++) {
            Violation v = violations.get(i);
            s.append(i == 0 ? "" : "; ").append(v.path().isEmpty() ? "(payload)" : v.path()).append(' ').append(v.message());
        }
        return s.toString();
    }

    /** @return the violations, in the order the validator reported them; unmodifiable */
    public List<Violation> violations() {
        return violations;
    }

    /**
     * The violations as a JSON array of {@code {"path": ..., "message": ...}} objects, the format of
     * the {@code eventcore_dlq_violations} header.
     *
     * @return the JSON text
     */
    public String violationsAsJson() {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < violations.size(); i++) {
            Violation v = violations.get(i);
            json.append(i == 0 ? "" : ",").append("{\"path\":");
            quote(json, v.path());
            json.append(",\"message\":");
            quote(json, v.message());
            json.append('}');
        }
        return json.append(']').toString();
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
