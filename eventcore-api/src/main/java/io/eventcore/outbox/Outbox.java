package io.eventcore.outbox;

import io.eventcore.EventcoreException;
import io.eventcore.observation.EventInstrumentation;

import java.util.List;
import java.util.Objects;

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

    /**
     * An outbox that observes each append as a {@code create} operation of {@code instrumentation}, a child of
     * the caller's current trace context, and stores that operation's trace context ({@code traceparent})
     * with the row, replacing a header of that name the event had: the relay's send and the consumers'
     * processing then continue the trace, whenever and wherever they run. With
     * {@link EventInstrumentation#noop()} it is {@code outbox} itself.
     *
     * @param outbox the outbox that stores the rows
     * @param instrumentation observes the appends
     * @param <T> the transaction handle type
     * @return the observed outbox; thread-safe as {@code outbox} is
     */
    static <T> Outbox<T> observed(Outbox<T> outbox, EventInstrumentation instrumentation) {
        Objects.requireNonNull(outbox, "outbox");
        return instrumentation == EventInstrumentation.noop() ? outbox : new ObservedOutbox<>(outbox, EventInstrumentation.safe(instrumentation));
    }
}
