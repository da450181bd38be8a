package io.eventcore;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One header of a raw message, kept as bytes so that a dead letter or a redrive reproduces the
 * original exactly. Immutable and thread-safe; the value's string form is decoded once, when first
 * asked for.
 */
public final class MessageHeader {
    private final String key;
    private final byte[] value;
    /** {@link #valueAsString()} once computed; a racing first call at worst decodes twice. */
    private String decoded;

    private MessageHeader(String key, byte[] value) {
        this.key = Objects.requireNonNull(key, "key");
        this.value = value;
    }

    /**
     * @param key header name
     * @param value raw value, may be {@code null}
     * @return the header (the value is copied)
     */
    public static MessageHeader of(String key, byte[] value) {
        return new MessageHeader(key, value == null ? null : value.clone());
    }

    /**
     * Wraps a value without copying it, for transports that hand over arrays nobody else writes
     * to (a consumed Kafka record's header values, for instance): the header takes the array over,
     * and the caller must not modify it afterwards. Use {@link #of(String, byte[])} for arrays
     * that may change.
     *
     * @param key header name
     * @param value raw value, may be {@code null}; taken over, not copied
     * @return the header
     * @throws NullPointerException if {@code key} is {@code null}
     */
    public static MessageHeader wrap(String key, byte[] value) {
        return new MessageHeader(key, value);
    }

    /**
     * @param key header name
     * @param value string value, encoded as UTF-8; may be {@code null}
     * @return the header
     */
    public static MessageHeader of(String key, String value) {
        return new MessageHeader(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** @return the header name */
    public String key() {
        return key;
    }

    /** @return a copy of the raw value, or {@code null} */
    public byte[] value() {
        return value == null ? null : value.clone();
    }

    /** @return the value decoded as UTF-8 (malformed bytes replaced), or {@code null} */
    public String valueAsString() {
        String s = decoded;
        if (s == null && value != null) {
            s = new String(value, StandardCharsets.UTF_8);
            decoded = s;
        }
        return s;
    }

    /** The held value, not copied: for this package's readers, which never modify it. */
    byte[] rawValue() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageHeader h && key.equals(h.key) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return key + "=" + valueAsString();
    }
}
