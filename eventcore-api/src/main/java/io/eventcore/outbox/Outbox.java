package io.eventcore.outbox;

import io.eventcore.EventcoreException;

import java.util.List;

/**
 * The write side of the transactional outbox: appends events inside the caller's transaction, so
 * they are published if and only if that transaction commits.
 *
 * <p>The transaction handle type {@code T} belongs to the store: a JDBC {@code Connection} for the
 * JDBC outbox, a transaction object for the in-memory one. Appending never commits, rolls back or
 * closes the handle; the caller does.
 *
 * <p>Implementations are thread-safe; a transaction handle is used by one thread at a time.
 *
 * @param <T> the transaction handle type
 */
public interface Outbox<T> {

    /**
     * Appends events in order: the relay publishes the events of one aggregate id in this order.
     *
     * @param transaction the caller's open transaction
     * @param events the events, written in list order
     * @throws EventcoreException if the store rejects the write; the caller should roll back
     */
    void append(T transaction, List<OutboxEvent> events);

    /**
     * Appends events in order.
     *
     * @param transaction the caller's open transaction
     * @param events the events
     * @throws EventcoreException if the store rejects the write; the caller should roll back
     */
    default void append(T transaction, OutboxEvent... events) {
        append(transaction, List.of(events));
    }
}
