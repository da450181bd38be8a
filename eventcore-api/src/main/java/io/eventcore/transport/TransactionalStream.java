package io.eventcore.transport;

import java.util.Optional;

/**
 * One open transactional stream of a {@link Transactions} transport: a sequence of transactions, one at a
 * time, each committed with a position. Used by one thread at a time; closing it aborts an open transaction.
 */
public interface TransactionalStream extends AutoCloseable {

    /** @return the stream id it was opened with */
    String id();

    /**
     * @return the position committed with the last committed transaction of this stream id (by any holder,
     *         as read when the stream was {@link Transactions#open opened}, then as this holder committed), or
     *         empty if none was ever committed
     */
    Optional<String> position();

    /**
     * Begins a transaction.
     *
     * @return the transaction
     * @throws IllegalStateException if a transaction of this stream is still open
     * @throws TransactionFencedException if another holder opened the stream id since
     * @throws io.eventcore.EventcoreException if the transport failed
     */
    PublishTransaction begin();

    /** Aborts an open transaction and releases the stream's resources. Idempotent; never throws. */
    @Override
    void close();
}
