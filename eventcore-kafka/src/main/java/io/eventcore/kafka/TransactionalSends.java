package io.eventcore.kafka;

import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.transport.PublishTransaction;
import io.eventcore.transport.TransactionalStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The transactional mode of a {@link KafkaEventPublisher}: each batch is one transaction of a dedicated
 * transactional producer ({@code <prefix>publisher-<random>}), one batch at a time. A failed batch is aborted and
 * the producer replaced. Thread-safe.
 */
final class TransactionalSends implements AutoCloseable {
    private final KafkaTransactions transactions;
    private final ReentrantLock lock = new ReentrantLock();
    private TransactionalStream stream;

    TransactionalSends(KafkaTransactions transactions) {
        this.transactions = transactions;
    }

    /** Sends {@code messages} in one transaction; blocks until it committed or was aborted. */
    CompletionStage<List<PublishReceipt>> sendAll(List<OutboundMessage> messages) {
        lock.lock();
        try {
            if (stream == null) {
                stream = transactions.openUnpositioned("publisher-" + UUID.randomUUID());
            }
            PublishTransaction tx = stream.begin();
            List<CompletableFuture<PublishReceipt>> sends = new ArrayList<>(messages.size());
            for (OutboundMessage m : messages) {
                sends.add(tx.send(m).toCompletableFuture());
            }
            try {
                CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
            } catch (CompletionException e) {
                tx.abort();
                return CompletableFuture.failedFuture(e.getCause() != null ? e.getCause() : e);
            }
            tx.commit(null).toCompletableFuture().join();
            return CompletableFuture.completedFuture(sends.stream().map(CompletableFuture::join).toList());
        } catch (RuntimeException e) {
            closeStream(); // the next batch opens a fresh producer
            return CompletableFuture.failedFuture(e instanceof CompletionException && e.getCause() != null
                    ? e.getCause() : e);
        } finally {
            lock.unlock();
        }
    }

    private void closeStream() {
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closeStream();
        } finally {
            lock.unlock();
        }
    }
}
