package io.eventcore.kafka;

import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topics whose metadata the producer could not get within {@code max.block.ms}: a topic that does not
 * exist on a broker that does not auto-create topics, or one this client may not describe. kafka-clients
 * blocks the sending thread for {@code max.block.ms} (60 s by default) on every such send, so a relay
 * with a batch for a missing topic would stall for that long per row. Once a send has timed out on
 * metadata, sends to the topic fail at once with a retriable {@link UnknownTopicOrPartitionException},
 * while one background thread asks for the topic's partitions until they appear.
 *
 * <p>Thread-safe. A send to a topic that is not missing costs one set lookup.
 */
final class MissingTopics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MissingTopics.class);
    /** Pause between two metadata probes of a missing topic, beyond the probe's own blocking. */
    static final long PROBE_PAUSE_MILLIS = 500;

    private final Producer<byte[], byte[]> producer;
    /** Missing topic → why sends to it fail at once. */
    private final Map<String, String> missing = new ConcurrentHashMap<>();
    private final ExecutorService prober = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "eventcore-topic-probe");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    MissingTopics(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /** @return the failure to complete a send to {@code topic} with at once, or {@code null} to send it */
    UnknownTopicOrPartitionException failFast(String topic) {
        String why = missing.get(topic);
        return why == null ? null : new UnknownTopicOrPartitionException(why + "; sends to it fail at once until it "
                + "appears");
    }

    /**
     * Looks at a send that failed while {@code producer.send} was still running: a metadata timeout marks
     * the topic missing and starts probing it.
     */
    void sendFailedEarly(String topic, Throwable failure) {
        if (!(failure instanceof TimeoutException) || failure instanceof BufferExhaustedException || closed) {
            return;
        }
        String why = BrokerLink.noConnection(producer.metrics())
                ? "no broker reachable: the producer holds no connection to any broker, so topic '" + topic
                        + "' was not in the cluster's metadata within max.block.ms (the topic may well exist)"
                : "topic '" + topic + "' was not in the cluster's metadata within max.block.ms (it does not exist "
                        + "and auto-creation is off, or this client may not describe it)";
        if (missing.putIfAbsent(topic, why) == null) {
            log.warn("{}: {}", why, failure.getMessage());
            try {
                prober.execute(() -> probe(topic));
            } catch (RejectedExecutionException shutDown) {
                missing.remove(topic);
            }
        }
    }

    private void probe(String topic) {
        while (!closed) {
            try {
                if (!producer.partitionsFor(topic).isEmpty()) {
                    missing.remove(topic);
                    log.info("Topic '{}' is in the cluster's metadata now; sending to it again", topic);
                    return;
                }
            } catch (RuntimeException stillMissing) {
                log.debug("Topic '{}' still missing: {}", topic, stillMissing.toString());
            }
            try {
                TimeUnit.MILLISECONDS.sleep(PROBE_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops probing; called before the producer closes. */
    @Override
    public void close() {
        closed = true;
        prober.shutdownNow();
    }

    /**
     * Sends through the producer unless the topic is known missing (then fails at once); a send that failed on
     * the topic's metadata before {@code producer.send} returned marks the topic missing.
     */
    CompletableFuture<PublishReceipt> send(OutboundMessage message) {
        CompletableFuture<PublishReceipt> result = new CompletableFuture<>();
        RuntimeException missingNow = failFast(message.topic());
        if (missingNow != null) {
            result.completeExceptionally(missingNow);
            return result;
        }
        try {
            Future<RecordMetadata> sent = producer.send(KafkaRecords.toRecord(message), (metadata, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(new PublishReceipt(metadata.topic(), metadata.partition(), metadata.offset()));
                }
            });
            if (sent.isDone() && result.isCompletedExceptionally()) {
                // Failed before producer.send returned: kafka-clients blocked on the topic's metadata.
                result.whenComplete((ignored, error) -> sendFailedEarly(message.topic(), error));
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }
}
