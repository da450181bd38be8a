package io.eventcore.transport;

import io.eventcore.NonRetryableException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Transport SPI for sending messages. Implemented by the Kafka publisher and the in-memory test
 * transport; the outbox relay publishes through it.
 *
 * <p>Implementations must be thread-safe. A completed stage means the transport has durably
 * accepted the message (Kafka: acknowledged by all in-sync replicas).
 */
public interface EventPublisher extends AutoCloseable {

    /**
     * Sends one message asynchronously.
     *
     * @param message the message
     * @return completes with the receipt, or exceptionally if the send failed
     */
    CompletionStage<PublishReceipt> send(OutboundMessage message);

    /**
     * Sends a batch: every message is handed to the transport first, then the sends are awaited
     * together. Within one key the order of {@code messages} is kept.
     *
     * @param messages the batch
     * @return completes with the receipts in batch order, or exceptionally if any send failed
     */
    default CompletionStage<List<PublishReceipt>> sendAll(List<OutboundMessage> messages) {
        List<CompletableFuture<PublishReceipt>> sends = new ArrayList<>(messages.size());
        for (OutboundMessage m : messages) {
            sends.add(send(m).toCompletableFuture());
        }
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> sends.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Says whether a send failure is transient (the broker is unreachable, a leader is moving, a
     * request timed out) rather than a problem with the message itself. The outbox relay waits out
     * transient failures without counting them against the row, and counts the others towards
     * moving the row to the dead table.
     *
     * <p>The default treats everything as transient except {@link NonRetryableException}.
     *
     * @param failure a failure from {@link #send}, possibly wrapped in a
     *        {@link java.util.concurrent.CompletionException}
     * @return {@code true} if sending the same message later may succeed
     */
    default boolean isTransient(Throwable failure) {
        Throwable t = failure;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return !(t instanceof NonRetryableException);
    }

    /**
     * The optional capability to publish in transactions committed with a position (see {@link Transactions}).
     * The outbox relay uses it by default when present.
     *
     * @return the capability; the default is empty (no transactions)
     */
    default java.util.Optional<Transactions> transactions() {
        return java.util.Optional.empty();
    }

    /** Flushes pending sends and releases resources. Idempotent. */
    @Override
    void close();
}
