package io.eventcore;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message as a transport hands it over, before decoding: raw key and value bytes, raw headers,
 * and where it came from (topic, partition, offset, timestamp, consumer group).
 *
 * <p>Immutable and thread-safe. The {@link #builder(String) builder} copies byte arrays on the way
 * in; {@link #wrap wrap} takes them over, for transports whose arrays nobody else writes to.
 * Accessors return the held arrays without copying for speed, and callers must not modify them.
 * The key's string form and the {@link #headerView() header view} are computed once, when first
 * asked for.
 */
public final class InboundMessage {
    private final byte[] key;
    private final byte[] value;
    private final List<MessageHeader> headers;
    private final String topic;
    private final int partition;
    private final long offset;
    private final Instant timestamp;
    private final String consumerGroup;
    /** Caches, racy but safe: both hold immutable values whose fields are final. */
    private String keyString;
    private Map<String, String> headerView;

    private InboundMessage(Builder b) {
        this(b.topic, b.partition, b.offset, b.timestamp, b.consumerGroup, b.key, b.value,
                Collections.unmodifiableList(new ArrayList<>(b.headers)));
    }

    private InboundMessage(String topic, int partition, long offset, Instant timestamp, String consumerGroup,
            byte[] key, byte[] value, List<MessageHeader> headers) {
        this.key = key;
        this.value = value;
        this.headers = headers;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.consumerGroup = consumerGroup;
    }

    /**
     * Creates a message that takes the given arrays and header list over instead of copying them,
     * as Kafka's own {@code ConsumerRecord} does: for transports handing over what they just
     * received and will not touch again. The caller must not modify {@code key}, {@code value},
     * {@code headers} or its arrays afterwards; the message exposes {@code headers} through an
     * unmodifiable view. Applications should use the copying {@link #builder(String)}.
     *
     * @param topic the source topic, not blank
     * @param partition the source partition, &gt;= 0
     * @param offset the offset within the partition, &gt;= -1 (-1: none)
     * @param timestamp the broker or producer timestamp, may be {@code null}
     * @param consumerGroup the consuming group, may be {@code null}
     * @param key the raw key, may be {@code null}; taken over
     * @param value the raw value, may be {@code null}; taken over
     * @param headers the headers in their original order; taken over, must not contain {@code null}
     * @return the message
     * @throws NullPointerException if {@code topic}, {@code headers} or one of its elements is {@code null}
     * @throws IllegalArgumentException if {@code topic} is blank, {@code partition < 0} or {@code offset < -1}
     */
    public static InboundMessage wrap(String topic, int partition, long offset, Instant timestamp,
            String consumerGroup, byte[] key, byte[] value, List<MessageHeader> headers) {
        Builder.checkTopic(topic);
        Builder.checkPartition(partition);
        Builder.checkOffset(offset);
        for (int i = 0, n = Objects.requireNonNull(headers, "headers").size(); i < n; i++) {
            Objects.requireNonNull(headers.get(i), "header");
        }
        return new InboundMessage(topic, partition, offset, timestamp, consumerGroup, key, value,
                Collections.unmodifiableList(headers));
    }

    /**
     * Starts a message from the given topic.
     *
     * @param topic the source topic, not blank
     * @return a builder
     */
    public static Builder builder(String topic) {
        return new Builder(topic);
    }

    /** @return the raw key, or {@code null} */
    public byte[] key() {
        return key;
    }

    /** @return the key decoded as UTF-8 (once, on the first call), or {@code null} */
    public String keyAsString() {
        String s = keyString;
        if (s == null && key != null) {
            s = new String(key, StandardCharsets.UTF_8);
            keyString = s;
        }
        return s;
    }

    /** @return the raw value, or {@code null} (e.g. a Kafka tombstone) */
    public byte[] value() {
        return value;
    }

    /** @return all headers in their original order, duplicates included (unmodifiable) */
    public List<MessageHeader> headers() {
        return headers;
    }

    /**
     * @param name header name
     * @return the last value of the header as UTF-8, or {@code null} when absent
     */
    public String header(String name) {
        MessageHeader h = last(name);
        return h == null ? null : h.valueAsString();
    }

    private MessageHeader last(String name) {
        for (int i = headers.size() - 1; i >= 0; i--) {
            MessageHeader h = headers.get(i);
            if (h.key().equals(name)) {
                return h;
            }
        }
        return null;
    }

    /**
     * The raw value of a header, for readers that parse bytes themselves.
     *
     * @param name header name
     * @return the last value of the header as held, not copied (callers must not modify it), or
     *     {@code null} when absent or {@code null}-valued
     */
    public byte[] rawHeader(String name) {
        MessageHeader h = last(name);
        return h == null ? null : h.rawValue();
    }

    /**
     * The headers as an unmodifiable string map that decodes nothing until read: a name maps to the
     * last non-{@code null} value of its headers (UTF-8 decoded), names with only {@code null} values
     * are absent, iteration follows first occurrence. A lookup decodes one value; iterating, sizing or
     * comparing builds the whole map once. {@link Event} takes this view over without copying it,
     * so a handler pays for the headers it reads. Thread-safe; the same view on every call.
     *
     * @return the view
     */
    public Map<String, String> headerView() {
        Map<String, String> view = headerView;
        if (view == null) {
            view = new HeaderView(headers);
            headerView = view;
        }
        return view;
    }

    /** @return the headers as an ordered, modifiable string map (a new copy; UTF-8 decoded, last value wins) */
    public Map<String, String> headerMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (MessageHeader h : headers) {
            String v = h.valueAsString();
            if (v != null) {
                map.put(h.key(), v);
            }
        }
        return map;
    }

    /** @return the source topic */
    public String topic() {
        return topic;
    }

    /** @return the source partition, 0 when the transport has none */
    public int partition() {
        return partition;
    }

    /** @return the offset within the partition, -1 when the transport has none */
    public long offset() {
        return offset;
    }

    /** @return the broker or producer timestamp, or {@code null} */
    public Instant timestamp() {
        return timestamp;
    }

    /** @return the consuming group, or {@code null} */
    public String consumerGroup() {
        return consumerGroup;
    }

    /**
     * @return a builder holding a copy of this message, for adjustments; each setting may be made
     *     once on it (headers are appended or removed freely)
     */
    public Builder toBuilder() {
        // Fields are copied directly, so the copy's settings may each be made once more.
        Builder b = new Builder(topic);
        b.key = key;
        b.value = value;
        b.partition = partition;
        b.offset = offset;
        b.timestamp = timestamp;
        b.consumerGroup = consumerGroup;
        b.headers.addAll(headers);
        return b;
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }

    /**
     * Builds {@link InboundMessage}s. Each setting may be made once ({@link IllegalStateException}
     * naming it otherwise; the two {@code key} and the two {@code value} overloads are one setting
     * each); headers are appended in order. Defaults: partition 0, offset -1, no key, value,
     * timestamp or group. Not thread-safe.
     */
    public static final class Builder {
        private static final String[] SETTINGS = {"key", "value", "partition", "offset", "timestamp", "consumerGroup"};
        private int made;
        private final String topic;
        private byte[] key;
        private byte[] value;
        private final List<MessageHeader> headers = new ArrayList<>();
        private int partition;
        private long offset = -1;
        private Instant timestamp;
        private String consumerGroup;

        private Builder(String topic) {
            this.topic = checkTopic(topic);
        }

        static String checkTopic(String topic) {
            Objects.requireNonNull(topic, "topic");
            if (topic.isBlank()) {
                throw new IllegalArgumentException("topic must not be blank");
            }
            return topic;
        }

        static void checkPartition(int partition) {
            if (partition < 0) {
                throw new IllegalArgumentException("partition must be >= 0, but was " + partition);
            }
        }

        static void checkOffset(long offset) {
            if (offset < -1) {
                throw new IllegalArgumentException("offset must be >= -1, but was " + offset);
            }
        }

        /**
         * @param key raw key, may be {@code null}; copied
         * @return this builder
         */
        public Builder key(byte[] key) {
            once(0);
            this.key = key == null ? null : key.clone();
            return this;
        }

        /**
         * @param key key as a string (UTF-8), may be {@code null}
         * @return this builder
         */
        public Builder key(String key) {
            once(0);
            this.key = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /**
         * @param value raw value, may be {@code null}; copied
         * @return this builder
         */
        public Builder value(byte[] value) {
            once(1);
            this.value = value == null ? null : value.clone();
            return this;
        }

        /**
         * @param value value as a string (UTF-8)
         * @return this builder
         */
        public Builder value(String value) {
            once(1);
            this.value = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /**
         * Appends a header.
         *
         * @param header the header
         * @return this builder
         */
        public Builder header(MessageHeader header) {
            headers.add(Objects.requireNonNull(header, "header"));
            return this;
        }

        /**
         * Appends a string header.
         *
         * @param name header name
         * @param value value, UTF-8 encoded
         * @return this builder
         */
        public Builder header(String name, String value) {
            return header(MessageHeader.of(name, value));
        }

        /**
         * Removes every header with the given name.
         *
         * @param name header name
         * @return this builder
         */
        public Builder removeHeader(String name) {
            headers.removeIf(h -> h.key().equals(name));
            return this;
        }

        /**
         * @param partition source partition, &gt;= 0
         * @return this builder
         */
        public Builder partition(int partition) {
            once(2);
            checkPartition(partition);
            this.partition = partition;
            return this;
        }

        /**
         * @param offset offset within the partition, &gt;= -1 (-1: none)
         * @return this builder
         */
        public Builder offset(long offset) {
            once(3);
            checkOffset(offset);
            this.offset = offset;
            return this;
        }

        /**
         * @param timestamp message timestamp, may be {@code null}
         * @return this builder
         */
        public Builder timestamp(Instant timestamp) {
            once(4);
            this.timestamp = timestamp;
            return this;
        }

        /**
         * @param consumerGroup the consuming group, may be {@code null}
         * @return this builder
         */
        public Builder consumerGroup(String consumerGroup) {
            once(5);
            this.consumerGroup = consumerGroup;
            return this;
        }

        private void once(int setting) {
            int bit = 1 << setting;
            if ((made & bit) != 0) {
                throw new IllegalStateException(SETTINGS[setting] + " was already set");
            }
            made |= bit;
        }

        /** @return the message */
        public InboundMessage build() {
            return new InboundMessage(this);
        }
    }
}
