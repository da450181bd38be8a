package io.eventcore.kafka;

import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.EventHeaders;
import io.eventcore.MessageHeader;
import io.eventcore.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes dead letters to Kafka: by default to {@code <original topic>.dlq}, with the original key,
 * value and headers byte for byte, plus the failure details as headers named
 * {@value EventHeaders#DEAD_LETTER_PREFIX}{@code *}:
 *
 * <table>
 *   <caption>Dead-letter headers</caption>
 *   <tr><td>{@code eventcore_dlq_topic}, {@code _partition}, {@code _offset}, {@code _timestamp}</td>
 *       <td>where the original came from</td></tr>
 *   <tr><td>{@code eventcore_dlq_group}</td><td>consumer group</td></tr>
 *   <tr><td>{@code eventcore_dlq_handler}</td><td>handler name</td></tr>
 *   <tr><td>{@code eventcore_dlq_exception}, {@code _root_cause}, {@code _message}, {@code _stacktrace}</td>
 *       <td>the failure (stack trace at most 8 KiB)</td></tr>
 *   <tr><td>{@code eventcore_dlq_attempts}, {@code _first_failure_at}, {@code _last_failure_at}</td>
 *       <td>attempt count and ISO-8601 times</td></tr>
 *   <tr><td>{@code eventcore_dlq_violations}</td><td>only for a payload that failed validation: the
 *       broken constraints as a JSON array of {@code {"path", "message"}} objects</td></tr>
 * </table>
 *
 * <p>A message redelivered through a retry topic is dead-lettered with its original position: to
 * {@code <original topic>.dlq}, the {@code eventcore_dlq_topic}/{@code _partition}/{@code _offset}
 * headers naming where it was first consumed (the retry copy's own position headers are dropped).
 * Dead-letter headers of an earlier failure are dropped, never piled up. {@link #accept} waits
 * for the broker's acknowledgement (bounded by the send timeout) and throws if it does not come:
 * the router then reports {@code FAILED} and the consumer keeps the original uncommitted.
 *
 * <p>The producer's properties are eventcore's defaults ({@code enable.idempotence=true},
 * {@code acks=all}, {@code linger.ms=5}), then the {@link KafkaClientSettings}, then the builder's
 * own {@link Builder#properties(Map) properties}; all passed through untouched.
 *
 * <p>Thread-safe. Close it when the consumer is closed.
 */
public final class KafkaDeadLetterSink implements DeadLetterSink, KafkaOutput, AutoCloseable {
    /** Suffix of the default dead-letter topic: {@value}. */
    public static final String DEFAULT_SUFFIX = ".dlq";

    static final String TOPIC = EventHeaders.DEAD_LETTER_PREFIX + "topic";
    static final String PARTITION = EventHeaders.DEAD_LETTER_PREFIX + "partition";
    static final String OFFSET = EventHeaders.DEAD_LETTER_PREFIX + "offset";
    static final String TIMESTAMP = EventHeaders.DEAD_LETTER_PREFIX + "timestamp";
    static final String GROUP = EventHeaders.DEAD_LETTER_PREFIX + "group";
    static final String HANDLER = EventHeaders.DEAD_LETTER_PREFIX + "handler";
    static final String EXCEPTION = EventHeaders.DEAD_LETTER_PREFIX + "exception";
    static final String ROOT_CAUSE = EventHeaders.DEAD_LETTER_PREFIX + "root_cause";
    static final String MESSAGE = EventHeaders.DEAD_LETTER_PREFIX + "message";
    static final String STACKTRACE = EventHeaders.DEAD_LETTER_PREFIX + "stacktrace";
    static final String ATTEMPTS = EventHeaders.DEAD_LETTER_PREFIX + "attempts";
    static final String FIRST_FAILURE = EventHeaders.DEAD_LETTER_PREFIX + "first_failure_at";
    static final String LAST_FAILURE = EventHeaders.DEAD_LETTER_PREFIX + "last_failure_at";
    static final String VIOLATIONS = EventHeaders.DEAD_LETTER_PREFIX + "violations";

    private static final Set<String> ORIGINAL_POSITION = Set.of(EventHeaders.ORIGINAL_TOPIC,
            EventHeaders.ORIGINAL_PARTITION, EventHeaders.ORIGINAL_OFFSET);

    private final Producer<byte[], byte[]> producer;
    /** Whether {@link #producer} is this sink's own (closed with it), not a publisher's. */
    private final boolean ownsProducer;
    private final UnaryOperator<String> topicFor;
    private final Duration sendTimeout;
    /** The exactly-once consumers this sink joined ({@link KafkaEventConsumerBuilder#exactlyOnce}). */
    final ConsumerTransactions.Joined joined = new ConsumerTransactions.Joined();

    private KafkaDeadLetterSink(Builder b, Map<String, Object> props) {
        this.ownsProducer = b.publisher == null;
        this.producer = b.publisher != null ? b.publisher.producer
                : new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topicFor = b.topicFor != null ? b.topicFor : topic -> topic + DEFAULT_SUFFIX;
        this.sendTimeout = b.sendTimeout != null ? b.sendTimeout : Builder.DEFAULT_SEND_TIMEOUT;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes one dead letter and waits for the broker's acknowledgement.
     *
     * <p>For a record of a consumer in {@linkplain KafkaEventConsumerBuilder#exactlyOnce exactly-once mode} this
     * sink joined, the letter is held and written in that consumer's transaction together with the record's offset
     * (so it is rolled back with it), and this method returns at once.
     *
     * @param letter the dead letter
     * @throws Exception if the write fails or is not acknowledged within the send timeout
     */
    @Override
    public void accept(DeadLetter letter) throws Exception {
        ProducerRecord<byte[], byte[]> record = toRecord(letter);
        if (joined.capture(record) != null) {
            return; // written in the transaction of the exactly-once consumer whose record this is
        }
        producer.send(record).get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    ProducerRecord<byte[], byte[]> toRecord(DeadLetter d) {
        List<Header> headers = new ArrayList<>();
        for (MessageHeader h : d.headers()) {
            // The original position is in the dead-letter headers; a retry copy's own position headers go.
            if (!h.key().startsWith(EventHeaders.DEAD_LETTER_PREFIX) && !ORIGINAL_POSITION.contains(h.key())) {
                headers.add(new RecordHeader(h.key(), h.value()));
            }
        }
        add(headers, TOPIC, d.topic());
        add(headers, PARTITION, Integer.toString(d.partition()));
        add(headers, OFFSET, Long.toString(d.offset()));
        add(headers, TIMESTAMP, d.timestamp() == null ? null : DateTimeFormatter.ISO_INSTANT.format(d.timestamp()));
        add(headers, GROUP, d.consumerGroup());
        add(headers, HANDLER, d.handlerName());
        add(headers, EXCEPTION, d.exceptionClass());
        add(headers, ROOT_CAUSE, d.rootCauseClass());
        add(headers, MESSAGE, d.message());
        add(headers, STACKTRACE, d.stackTrace());
        add(headers, ATTEMPTS, Integer.toString(d.attempts()));
        add(headers, FIRST_FAILURE, DateTimeFormatter.ISO_INSTANT.format(d.firstFailureAt()));
        add(headers, LAST_FAILURE, DateTimeFormatter.ISO_INSTANT.format(d.lastFailureAt()));
        add(headers, VIOLATIONS, d.violations());
        return new ProducerRecord<>(topicFor.apply(d.topic()), null, d.key(), d.value(), headers);
    }

    private static void add(List<Header> headers, String name, String value) {
        if (value != null) {
            headers.add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Closes the producer, waiting at most 10 seconds for pending writes; a publisher's producer stays open. */
    @Override
    public void close() {
        if (ownsProducer) {
            producer.close(Duration.ofSeconds(10));
        }
    }

    /**
     * Builds {@link KafkaDeadLetterSink}s. Each setting may be made once: a repeated or
     * conflicting one is an {@link IllegalStateException} naming it, a bad value an
     * {@link IllegalArgumentException} naming setting and value. {@link #build()} requires the
     * client settings or {@link #producerOf}. Not thread-safe.
     */
    public static final class Builder {
        /** Default bound of one dead-letter write: 30 seconds. */
        public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);

        private final ClientSetup client = new ClientSetup();
        private UnaryOperator<String> topicFor;
        private Duration sendTimeout;
        private KafkaEventPublisher publisher;

        private Builder() {
        }

        private void notShared(String setting) {
            if (publisher != null) {
                throw new IllegalStateException(setting + ": producerOf(publisher) was set, whose producer has its own");
            }
        }

        /**
         * Writes dead letters through the publisher's producer rather than a producer of this sink's own, so that an
         * application runs one producer (its idempotent, non-transactional one, also in a
         * {@linkplain KafkaEventPublisher.Builder#transactional transactional} publisher). The publisher keeps
         * owning it: close this sink first. Instead of {@link #client} and {@link #properties}.
         *
         * @param shared the publisher whose producer writes the dead letters
         * @return this builder
         * @throws IllegalStateException if already set, or client settings or properties were given
         */
        public Builder producerOf(KafkaEventPublisher shared) {
            Objects.requireNonNull(shared, "producerOf");
            if (client.hasClient() || !client.own().isEmpty()) {
                throw new IllegalStateException("producerOf: the publisher's producer has its own client settings and"
                        + " properties; do not set client, bootstrapServers or properties as well");
            }
            this.publisher = Checks.once("producerOf", publisher, shared);
            return this;
        }

        /**
         * @param settings how the producer reaches the cluster (bootstrap servers, security,
         *     client properties); required, or use {@link #bootstrapServers(String)}
         * @return this builder
         * @throws IllegalStateException if client settings were already given
         */
        public Builder client(KafkaClientSettings settings) {
            notShared("client");
            client.client(settings);
            return this;
        }

        /**
         * Shorthand for {@code client(KafkaClientSettings.of(servers))}: plaintext, no
         * authentication.
         *
         * @param servers {@code host:port[,host:port]}
         * @return this builder
         * @throws IllegalArgumentException if blank
         * @throws IllegalStateException if client settings were already given
         */
        public Builder bootstrapServers(String servers) {
            notShared("bootstrapServers");
            client.bootstrapServers(servers);
            return this;
        }

        /**
         * Producer properties, passed through untouched; they override eventcore's defaults
         * ({@code enable.idempotence=true}, {@code acks=all}, {@code linger.ms=5}).
         *
         * @param props Kafka producer properties; connection and security ones belong in
         *     {@link #client(KafkaClientSettings)}
         * @return this builder
         * @throws IllegalStateException if already set, or {@code props} holds
         *     {@code bootstrap.servers} or a {@code security.*}, {@code sasl.*} or {@code ssl.*} key
         */
        public Builder properties(Map<String, ?> props) {
            notShared("properties");
            client.properties(props);
            return this;
        }

        /**
         * @param naming maps the original topic to its dead-letter topic; defaults to appending
         *     {@value #DEFAULT_SUFFIX}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder topicNaming(UnaryOperator<String> naming) {
            this.topicFor = Checks.once("topicNaming", topicFor, Objects.requireNonNull(naming, "topicNaming"));
            return this;
        }

        /**
         * @param timeout bound of one write, &gt; 0; defaults to {@link #DEFAULT_SEND_TIMEOUT} (30 s)
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if already set
         */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = Checks.once("sendTimeout", sendTimeout, Checks.positive("sendTimeout", timeout));
            return this;
        }

        /**
         * @return the sink, connected lazily by kafka-clients
         * @throws IllegalStateException if neither client settings nor {@link #producerOf} were given, or a key is
         *     set both in
         *     the client settings and in {@link #properties(Map)}
         */
        public KafkaDeadLetterSink build() {
            return new KafkaDeadLetterSink(this, publisher != null ? Map.of()
                    : client.merged(KafkaConfig.producerDefaults()));
        }
    }
}
