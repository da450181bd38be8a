package io.eventcore.kafka;

import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.codec.EventCodec;
import io.eventcore.internal.Checks;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.observation.Observed;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.transport.TopicNaming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes events to Kafka. Each event becomes one record: key = {@link Event#key()}, value =
 * the codec's bytes, headers {@code event_type}, {@code event_id}, {@code produced_at} plus the
 * event's own headers (e.g. {@code traceparent}); the topic comes from the builder's
 * {@link TopicNaming}.
 *
 * <p>The producer's properties are, in this order: eventcore's defaults
 * ({@code enable.idempotence=true}, {@code acks=all}, {@code linger.ms=5}), the
 * {@link KafkaClientSettings}, then the builder's own {@link Builder#properties(Map) properties},
 * which override the defaults; all are passed to {@link KafkaProducer} untouched and
 * kafka-clients validates them. Byte-array serializers. Secrets never appear in
 * {@link #toString()}.
 *
 * <p>Thread-safe: share one instance per application.
 */
public final class KafkaEventPublisher implements EventPublisher, KafkaOutput {
    final Producer<byte[], byte[]> producer; // KafkaDeadLetterSink.Builder.producerOf shares it
    private final EventCodec codec;
    private final TopicNaming topics;
    private final Duration closeTimeout;
    private final Map<String, Object> maskedConfig;
    private final MissingTopics missingTopics;
    private final EventInstrumentation instrumentation;
    private final KafkaTransactions transactions;
    /** The exactly-once consumers this publisher joined ({@link KafkaEventConsumerBuilder#exactlyOnce}). */
    final ConsumerTransactions.Joined joined = new ConsumerTransactions.Joined();

    /** Transactional mode: each send or batch one transaction; {@code null} otherwise. */
    private final TransactionalSends transactional;

    private KafkaEventPublisher(Builder b, Map<String, Object> props) {

        this.transactions = b.producer != null || !KafkaConfig.supportsTransactions(props) ? null
                : new KafkaTransactions(props, b.client.client().properties(), b.client.client().transactionalIdPrefix(),
                        b.client.client().transactionTimeout(), b.client.client().positionsTopic(), null);
        this.transactional = Boolean.TRUE.equals(b.transactional) ? new TransactionalSends(transactions) : null;
        this.maskedConfig = KafkaConfig.masked(props);
        this.producer = b.producer != null ? b.producer
                : new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.codec = b.codec != null ? b.codec : EventCodec.json();
        this.topics = b.topics;
        this.closeTimeout = b.closeTimeout != null ? b.closeTimeout : Builder.DEFAULT_CLOSE_TIMEOUT;
        this.missingTopics = new MissingTopics(producer);
        if (transactions != null) {
            transactions.missingTopics(missingTopics);
        }
        this.instrumentation = EventInstrumentation.safe(b.instrumentation != null ? b.instrumentation
                : EventInstrumentation.noop());
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Publishes one event to the topic chosen by the naming strategy, observed as one {@code send} operation
     * of the {@link Builder#instrumentation instrumentation}, whose trace context replaces the event's
     * {@code traceparent} header.
     *
     * @param event the event
     * @return completes when the broker has acknowledged it, exceptionally if the send failed
     * @throws IllegalArgumentException if the topic naming gives no topic for the event
     */
    public CompletionStage<PublishReceipt> publish(Event<?> event) {
        return publish(event, topicOf(event));
    }

    private CompletionStage<PublishReceipt> publish(Event<?> event, String topic) {
        Observed observed = instrumentation.send(topic, event.type(), event.headers());
        CompletionStage<PublishReceipt> sent;
        try {
            sent = send(OutboundMessage.of(topic, event, codec).withHeaders(observed.propagation()));
        } catch (RuntimeException e) {
            observed.stop("failed", e);
            throw e;
        }
        if (observed != Observed.NONE) {
            sent.whenComplete((receipt, failure) -> observed.stop(failure == null ? "published" : "failed", failure));
        }
        return sent;
    }

    /**
     * Publishes a batch: every record is handed to the producer first, then all are awaited.
     * Per-key order follows the list order. Each event is one {@code send} operation, as in {@link #publish}.
     *
     * @param events the events
     * @return completes with the receipts in list order, or exceptionally if any send failed
     * @throws IllegalArgumentException if the topic naming gives no topic for one of the events
     *     (then nothing is sent)
     */
    public CompletionStage<List<PublishReceipt>> publishAll(List<? extends Event<?>> events) {
        List<String> topics = new ArrayList<>(events.size());
        for (Event<?> e : events) {
            topics.add(topicOf(e));
        }
        if (transactional != null && !joined.holdsCurrent()) {
            return sendAll(events.stream().map(e -> OutboundMessage.of(topicOf(e), e, codec)).toList());
        }
        List<CompletionStage<PublishReceipt>> sends = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            sends.add(publish(events.get(i), topics.get(i)));
        }
        List<CompletableFuture<PublishReceipt>> futures = sends.stream().map(CompletionStage::toCompletableFuture).toList();
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> futures.stream().map(CompletableFuture::join).toList());
    }

    private String topicOf(Event<?> event) {
        String topic = topics.topicFor(event.type(), event.headers().get(EventHeaders.AGGREGATE_TYPE), event.key());
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic naming strategy returned no topic for event " + event.id());
        }
        return topic;
    }

    /**
     * {@inheritDoc}
     *
     * <p>In {@linkplain Builder#transactional transactional mode} the batch is one transaction: this call blocks
     * until it committed (then the stage has the receipts) or failed and was aborted (then nothing of the batch is
     * visible to {@code read_committed} readers). Transactions of one publisher run one at a time.
     */
    @Override
    public CompletionStage<List<PublishReceipt>> sendAll(List<OutboundMessage> messages) {
        if (transactional == null || joined.holdsCurrent()) {
            return EventPublisher.super.sendAll(messages);
        }
        return transactional.sendAll(messages);
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the producer cannot get a topic's metadata within {@code max.block.ms} (the topic does not
     * exist and the broker does not auto-create topics, or the client may not describe it), that send
     * fails with a {@link org.apache.kafka.common.errors.TimeoutException} after blocking the caller, as
     * kafka-clients does. From then on sends to that topic fail at once with a retriable
     * {@link org.apache.kafka.common.errors.UnknownTopicOrPartitionException}, without blocking, while a
     * background thread asks for the topic until it appears; then sends go through again.
     *
     * <p>Called while a handler of a consumer in {@linkplain KafkaEventConsumerBuilder#exactlyOnce exactly-once
     * mode} that this publisher joined handles a record (on the handler's thread), the message is held and sent in
     * that consumer's next transaction, with the record's offset: the stage completes at once with a receipt
     * whose offset is -1. What a failed attempt of the handler sent is dropped.
     */
    @Override
    public CompletionStage<PublishReceipt> send(OutboundMessage message) {
        if (transactional != null && !joined.holdsCurrent()) {
            return sendAll(List.of(message)).thenApply(receipts -> receipts.get(0));
        }
        if (joined.any()) {
            CompletableFuture<PublishReceipt> held = joined.capture(KafkaRecords.toRecord(message));
            if (held != null) {
                return held; // sent in the transaction of the exactly-once consumer whose record is being handled
            }
        }
        return missingTopics.send(message);
    }

    /**
     * Transient: Kafka's retriable exceptions (timeouts, leader changes, unreachable brokers, a topic missing from
     * the metadata), authentication and cluster-wide authorization failures, and non-Kafka exceptions. Not transient:
     * a topic authorization failure (rows for it count attempts and end dead, replayable) and other Kafka
     * exceptions, which are about the message (record too large, invalid topic).
     */
    @Override
    public boolean isTransient(Throwable failure) {
        return KafkaFailures.isTransient(failure);
    }

    /**
     * @return transactions of dedicated producers ({@code transactional.id = <transactionalIdPrefix><stream id>}),
     *     as the outbox relay uses them by default; empty when the producer properties rule them out
     *     ({@code enable.idempotence=false}, {@code acks} other than {@code all})
     */
    @Override
    public java.util.Optional<io.eventcore.transport.Transactions> transactions() {
        return java.util.Optional.ofNullable(transactions);
    }

    /** Flushes pending sends (bounded by the close timeout) and closes the producer. */
    @Override
    public void close() {
        if (transactional != null) {
            transactional.close();
        }
        if (transactions != null) {
            transactions.close();
        }
        missingTopics.close();
        producer.close(closeTimeout);
    }

    /** @return the producer's properties, secret values replaced by {@code [hidden]} */
    @Override
    public String toString() {
        return "KafkaEventPublisher" + maskedConfig;
    }

    /**
     * Builds {@link KafkaEventPublisher}s. Each setting may be made once: a repeated or
     * conflicting one is an {@link IllegalStateException} naming it, a bad value an
     * {@link IllegalArgumentException} naming setting and value. {@link #build()} requires the
     * client settings and the topic naming. Not thread-safe.
     */
    public static final class Builder {
        /** Default bound of {@link #close()}: 30 seconds. */
        public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

        private final ClientSetup client = new ClientSetup();
        private EventCodec codec;
        private TopicNaming topics;
        private String topicsSetBy;
        private String topicsShown;
        private Duration closeTimeout;
        private Producer<byte[], byte[]> producer;
        private EventInstrumentation instrumentation;
        private Boolean transactional;

        private Builder() {
        }

        /**
         * @param settings how the producer reaches the cluster (bootstrap servers, security,
         *     client properties); required, or use {@link #bootstrapServers(String)}
         * @return this builder
         * @throws IllegalStateException if client settings were already given
         */
        public Builder client(KafkaClientSettings settings) {
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
            client.properties(props);
            return this;
        }

        /**
         * @param eventCodec encodes payloads; defaults to {@link EventCodec#json()}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder codec(EventCodec eventCodec) {
            this.codec = Checks.once("codec", codec, Objects.requireNonNull(eventCodec, "codec"));
            return this;
        }

        /**
         * Chooses each event's topic. Required: this or {@link #topic(String)}, not both.
         *
         * @param strategy the topic naming, e.g. {@link TopicNaming#perType(String)}
         * @return this builder
         * @throws IllegalStateException if a topic naming was already set (here or by {@code topic})
         */
        public Builder topics(TopicNaming strategy) {
            return naming("topics", Objects.requireNonNull(strategy, "topics"), strategy.toString());
        }

        /**
         * Publishes every event to one topic: {@code topics(TopicNaming.fixed(topic))}. Required:
         * this or {@link #topics(TopicNaming)}, not both.
         *
         * @param topic the topic, not blank
         * @return this builder
         * @throws IllegalArgumentException if blank
         * @throws IllegalStateException if a topic naming was already set (here or by {@code topics})
         */
        public Builder topic(String topic) {
            return naming("topic", TopicNaming.fixed(topic), topic);
        }

        private Builder naming(String setting, TopicNaming naming, String shown) {
            if (topicsSetBy != null && !topicsSetBy.equals(setting)) {
                throw new IllegalStateException(setting + " conflicts with " + topicsSetBy + ", already set: set exactly one");
            }
            this.topicsShown = Checks.once(setting, topicsShown, shown);
            this.topics = naming;
            this.topicsSetBy = setting;
            return this;
        }

        /**
         * @param timeout how long {@link #close()} waits for pending sends, &gt;= 0; defaults to
         *     {@link #DEFAULT_CLOSE_TIMEOUT} (30 s)
         * @return this builder
         * @throws IllegalArgumentException if negative
         * @throws IllegalStateException if already set
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Checks.once("closeTimeout", closeTimeout, Checks.notNegative("closeTimeout", timeout));
            return this;
        }

        /**
         * @param observer observes each {@link #publish published} event as a {@code send} operation and
         *     carries its trace context in {@code traceparent}; defaults to {@link EventInstrumentation#noop()}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder instrumentation(EventInstrumentation observer) {
            this.instrumentation = Checks.once("instrumentation", instrumentation,
                    Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /**
         * @param enabled transactional mode: every {@code send}, {@code sendAll} and {@code publishAll} call is one
         *     transaction of a dedicated producer ({@code <transactionalIdPrefix>publisher-<random>}), visible to
         *     {@code read_committed} readers whole or not at all; calls block until it ended and run one at a time
         *     (sends held for an exactly-once consumer join its transaction instead). Defaults to {@code false}. The
         *     build checks, for up to 3 s, that the cluster can host transactions.
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder transactional(boolean enabled) {
            this.transactional = Checks.once("transactional", transactional, enabled);
            return this;
        }

        /** Tests: a producer to use instead of a {@link KafkaProducer} (client settings then optional). */
        Builder producer(Producer<byte[], byte[]> custom) {
            this.producer = Checks.once("producer", producer, Objects.requireNonNull(custom, "producer"));
            return this;
        }

        /**
         * @return the publisher, connected lazily by kafka-clients
         * @throws IllegalStateException naming the missing setting (client settings, topic naming),
         *     or a key set both in the client settings and in {@link #properties(Map)}
         */
        public KafkaEventPublisher build() {
            if (producer == null) {
                client.client();
            }
            if (topics == null) {
                throw new IllegalStateException("topics must be set: topic(String) or topics(TopicNaming)");
            }
            Map<String, Object> props = client.hasClient() ? client.merged(KafkaConfig.producerDefaults())
                    : KafkaConfig.producerDefaults();
            if (Boolean.TRUE.equals(transactional)) {
                if (producer != null || !KafkaConfig.supportsTransactions(props)) {
                    throw new IllegalStateException("transactional needs an idempotent producer with acks=all, but "
                            + "enable.idempotence=" + props.get("enable.idempotence") + ", acks=" + props.get("acks"));
                }
                TransactionSupport.check(client.client().properties(), "transactional");
            }
            return new KafkaEventPublisher(this, props);
        }
    }
}
