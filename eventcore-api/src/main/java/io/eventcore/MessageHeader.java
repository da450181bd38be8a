package io.eventcore;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One header of a raw message, kept as bytes so that a dead letter or a redrive reproduces the
 * original exactly. Immutable.
 */
public final class MessageHeader {
    private final String key;
    private final byte[] value;

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
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
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
