package io.eventcore.kafka;

import io.eventcore.routing.DispatchResult;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.internal.Redelivery;
import io.eventcore.transport.internal.Settlement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Stores a {@code RETRY_LATER} message in its topic's retry topic (per consumer group, see
 * {@link RetryTopics}) with the attempt count, first-failure time, due time, event id and original
 * position in headers ({@link Redelivery}); the consumer reads it back once it is due. A message
 * consumed from a retry topic arrives here with its original position ({@link KafkaRecords}), so
 * every copy goes to the same retry topic.
 */
final class RetryTopicRedeliverer implements Settlement.Redeliverer {
    private final Producer<byte[], byte[]> producer;
    private final Map<String, String> retryTopics;
    private volatile ConsumerTransactions transactions;

    /**
     * @param producer writes the copies
     * @param retryTopics each consumed topic's retry topic; empty when no route uses {@code REDELIVER}
     */
    RetryTopicRedeliverer(Producer<byte[], byte[]> producer, Map<String, String> retryTopics) {
        this.producer = producer;
        this.retryTopics = Map.copyOf(retryTopics);
    }

    /** Exactly-once mode: copies of that consumer's records are held for its transactions. */
    void transactions(ConsumerTransactions tx) {
        this.transactions = tx;
    }

    @Override
    public CompletionStage<Void> redeliver(InboundMessage message, DispatchResult result) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        String retryTopic = retryTopics.get(message.topic());
        if (retryTopic == null) {
            // Only a router whose redeliveredTypes() hides a REDELIVER route gets here: keep the
            // message unacknowledged (settlement retries) rather than write where nobody reads.
            stored.completeExceptionally(new IllegalStateException("no retry topic for " + message.topic()
                    + ": the router returned RETRY_LATER but declares no REDELIVER route (redeliveredTypes())"));
            return stored;
        }
        List<MessageHeader> headers = Redelivery.headers(message, result, Instant.now());
        OutboundMessage copy = new OutboundMessage(retryTopic, null, message.value(), headers);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(copy.topic(), null, message.key(), copy.value(),
                KafkaRecords.headers(copy.headers()));
        ConsumerTransactions tx = transactions;
        ConsumerTransactions.Scope scope = tx == null ? null : tx.scope(message);
        if (scope != null) {
            return scope.hold(record, null).thenApply(receipt -> null);
        }
        try {
            producer.send(record, (meta, error) -> {
                        if (error != null) {
                            stored.completeExceptionally(error);
                        } else {
                            stored.complete(null);
                        }
                    });
        } catch (RuntimeException e) {
            stored.completeExceptionally(e);
        }
        return stored;
    }
}
