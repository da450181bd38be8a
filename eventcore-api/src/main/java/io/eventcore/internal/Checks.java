package io.eventcore.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/** Internal, not API: argument checks whose messages name the setting and the rejected value. */
public final class Checks {
    private Checks() {
    }

    public static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", but was " + value);
        }
        return value;
    }

    public static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, but was " + value);
        }
        return value;
    }

    public static Duration notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, but was " + value);
        }
        return value;
    }

    public static String notBlank(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, but was '" + value + "'");
        }
        return value;
    }

    /**
     * The one "set once" rule of every eventcore builder: a setting made twice is a mistake.
     *
     * @return {@code value}
     * @throws IllegalStateException naming the setting when {@code current} is already set
     */
    public static <V> V once(String setting, V current, V value) {
        if (current != null) {
            throw new IllegalStateException(setting + " was already set to "
                    + (current instanceof byte[] bytes ? bytes.length + " bytes" : current));
        }
        return value;
    }

    /** Cuts {@code s} to at most {@code maxBytes} of UTF-8 on a character boundary; null stays null. */
    public static String capUtf8(String s, int maxBytes) {
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
}
