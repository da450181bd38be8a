package io.eventcore.kafka;

import io.eventcore.EventHeaders;
import io.eventcore.transport.TopicNaming;
import io.eventcore.Event;
import io.eventcore.codec.EventCodec;
import io.eventcore.transport.EventPublisher;
import io.eventcore.MessageHeader;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes events to Kafka. Each event becomes one record: key = {@link Event#key()}, value =
 * the codec's bytes, headers {@code event_type}, {@code event_id}, {@code produced_at} plus the
 * event's own headers (e.g. {@code traceparent}); the topic comes from the
 * {@link TopicNaming}.
 *
 * <p>Producer defaults: {@code enable.idempotence=true}, {@code acks=all}, byte-array
 * serializers. Every property given to the builder is passed to {@link KafkaProducer} untouched
 * and overrides those defaults; kafka-clients validates them. Secrets never appear in
 * {@link #toString()}.
 *
 * <p>Thread-safe: share one instance per application.
 */
public final class KafkaEventPublisher implements EventPublisher {
    private final Producer<byte[], byte[]> producer;
    private final EventCodec codec;
    private final TopicNaming topics;
    private final Duration closeTimeout;
    private final Map<String, Object> maskedConfig;

    private KafkaEventPublisher(Builder b) {
        Map<String, Object> props = producerDefaults();
        props.putAll(b.properties);
        this.maskedConfig = KafkaConfig.masked(props);
        this.producer = b.producer != null ? b.producer
                : new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.codec = b.codec;
        this.topics = b.topics;
        this.closeTimeout = b.closeTimeout;
    }

    static Map<String, Object> producerDefaults() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return props;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Publishes one event to the topic chosen by the naming strategy.
     *
     * @param event the event
     * @return completes when the broker has acknowledged it
     */
    public CompletionStage<PublishReceipt> publish(Event<?> event) {
        return send(OutboundMessage.of(topicOf(event), event, codec));
    }

    /**
     * Publishes a batch: every record is handed to the producer first, then all are awaited.
     * Per-key order follows the list order.
     *
     * @param events the events
     * @return completes with the receipts in list order, or exceptionally if any send failed
     */
    public CompletionStage<List<PublishReceipt>> publishAll(List<? extends Event<?>> events) {
        List<OutboundMessage> batch = new ArrayList<>(events.size());
        for (Event<?> e : events) {
            batch.add(OutboundMessage.of(topicOf(e), e, codec));
        }
        return sendAll(batch);
    }

    private String topicOf(Event<?> event) {
        String topic = topics.topicFor(event.type(), event.headers().get(EventHeaders.AGGREGATE_TYPE), event.key());
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic naming strategy returned no topic for event " + event.id());
        }
        return topic;
    }

    @Override
    public CompletionStage<PublishReceipt> send(OutboundMessage message) {
        CompletableFuture<PublishReceipt> result = new CompletableFuture<>();
        try {
            producer.send(toRecord(message), (metadata, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(new PublishReceipt(metadata.topic(), metadata.partition(), metadata.offset()));
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /**
     * Transient: Kafka's {@link org.apache.kafka.common.errors.RetriableException}s (timeouts, leader
     * changes, unreachable brokers), authentication and authorization failures (a configuration problem
     * of the whole producer, not of one message), and anything that is not a Kafka exception. Not
     * transient: other Kafka exceptions, which are about the message (record too large, invalid topic).
     */
    @Override
    public boolean isTransient(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.RetriableException
                    || t instanceof org.apache.kafka.common.errors.AuthenticationException
                    || t instanceof org.apache.kafka.common.errors.AuthorizationException) {
                return true;
            }
            if (t instanceof org.apache.kafka.common.KafkaException && t.getCause() == null) {
                return false;
            }
        }
        return true;
    }

    static ProducerRecord<byte[], byte[]> toRecord(OutboundMessage message) {
        List<org.apache.kafka.common.header.Header> headers = new ArrayList<>(message.headers().size());
        for (MessageHeader h : message.headers()) {
            headers.add(new RecordHeader(h.key(), h.value()));
        }
        return new ProducerRecord<>(message.topic(), null, message.keyBytes(), message.value(), headers);
    }

    /** Flushes pending sends (bounded by the close timeout) and closes the producer. */
    @Override
    public void close() {
        producer.close(closeTimeout);
    }

    @Override
    public String toString() {
        return "KafkaEventPublisher" + maskedConfig;
    }

    /**
     * Builds {@link KafkaEventPublisher}s. Not thread-safe.
     */
    public static final class Builder {
        /** Default bound of {@link #close()}: 30 seconds. */
        public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

        private final Map<String, Object> properties = new HashMap<>();
        private EventCodec codec = EventCodec.json();
        private TopicNaming topics;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private Producer<byte[], byte[]> producer;

        private Builder() {
        }

        /**
         * @param servers {@code host:port[,host:port]}
         * @return this builder
         */
        public Builder bootstrapServers(String servers) {
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Checks.notBlank("bootstrapServers", servers));
            return this;
        }

        /**
         * Adds producer properties, passed through untouched (they override eventcore's defaults).
         *
         * @param props Kafka producer properties
         * @return this builder
         */
        public Builder properties(Map<String, ?> props) {
            properties.putAll(Objects.requireNonNull(props, "properties"));
            return this;
        }

        /**
         * @param eventCodec encodes payloads; defaults to {@link EventCodec#json()}
         * @return this builder
         */
        public Builder codec(EventCodec eventCodec) {
            this.codec = Objects.requireNonNull(eventCodec, "codec");
            return this;
        }

        /**
         * @param strategy chooses each event's topic; required for {@link #publish(Event)}
         * @return this builder
         */
        public Builder topics(TopicNaming strategy) {
            this.topics = Objects.requireNonNull(strategy, "topics");
            return this;
        }

        /**
         * @param topic publish every event to this topic
         * @return this builder
         */
        public Builder topic(String topic) {
            return topics(TopicNaming.fixed(topic));
        }

        /**
         * @param timeout how long {@link #close()} waits for pending sends, &gt;= 0; defaults to 30 s
         * @return this builder
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Checks.notNegative("closeTimeout", timeout);
            return this;
        }

        Builder producer(Producer<byte[], byte[]> custom) {
            this.producer = custom;
            return this;
        }

        /**
         * @return the publisher
         * @throws IllegalStateException if neither {@code bootstrapServers} nor a
         *     {@code bootstrap.servers} property was given, or no topic strategy was set
         */
        public KafkaEventPublisher build() {
            if (producer == null && !properties.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalStateException("bootstrapServers must be set (or the bootstrap.servers property)");
            }
            if (topics == null) {
                topics = (type, aggregate, key) -> {
                    throw new IllegalStateException("no topic naming strategy: set topic() or topics() on the builder");
                };
            }
            return new KafkaEventPublisher(this);
        }
    }
}
