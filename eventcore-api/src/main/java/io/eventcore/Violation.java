package io.eventcore;

import java.util.Objects;

/**
 * One constraint a decoded payload breaks.
 *
 * @param path the property path within the payload, e.g. {@code lines[2].quantity}; empty for a
 *        constraint on the payload as a whole
 * @param message what is wrong, as the validator phrased it
 */
public record Violation(String path, String message) {

    /**
     * @param path the {@code path} component, not {@code null}
     * @param message the {@code message} component, not {@code null}
     */
    public Violation {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }
}
