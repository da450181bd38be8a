package io.eventcore.kafka;

import io.eventcore.routing.DispatchResult;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.internal.Redelivery;
import io.eventcore.transport.internal.Settlement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Stores a {@code RETRY_LATER} message in {@code <topic><suffix>} with the attempt count,
 * first-failure time and due time in headers; the consumer reads it back once it is due.
 */
final class RetryTopicRedeliverer implements Settlement.Redeliverer {
    private final Producer<byte[], byte[]> producer;
    private final String suffix;

    RetryTopicRedeliverer(Producer<byte[], byte[]> producer, String suffix) {
        this.producer = producer;
        this.suffix = suffix;
    }

    String retryTopicOf(String topic) {
        return RetryTopicGate.retryTopicOf(topic, suffix);
    }

    @Override
    public CompletionStage<Void> redeliver(InboundMessage message, DispatchResult result) {
        List<MessageHeader> headers = Redelivery.headers(message, result, Instant.now());
        OutboundMessage copy = new OutboundMessage(retryTopicOf(message.topic()), null, message.value(), headers);
        CompletableFuture<Void> stored = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(copy.topic(), null, message.key(), copy.value(),
                    KafkaRecords.headers(copy.headers())), (meta, error) -> {
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
