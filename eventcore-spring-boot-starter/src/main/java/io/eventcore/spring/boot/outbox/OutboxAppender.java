package io.eventcore.spring.boot.outbox;

import io.eventcore.observation.EventInstrumentation;
import io.eventcore.outbox.Outbox;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Appends events to the JDBC outbox inside the current Spring-managed transaction (a
 * {@code @Transactional} method, a {@code TransactionTemplate}): the rows are written on the
 * transaction's connection, so they are relayed only if it commits, and the local relay is woken right
 * after the commit.
 *
 * <pre>{@code
 * @Transactional
 * public void place(Order order) {
 *     orders.insert(order);
 *     appender.append(OutboxEvent.of("Order", order.id(), new OrderPlaced(order.id())));
 * }
 * }</pre>
 *
 * <p>The transaction must run on the same {@link DataSource} as the outbox (a
 * {@code DataSourceTransactionManager}, or a JPA transaction manager exposing its connection).
 *
 * <p>With an {@link EventInstrumentation}, each append is observed as a {@code create} operation and the row
 * stores its trace context ({@link Outbox#observed}), so the relay and the consumers continue the caller's
 * trace. Thread-safe.
 */
public final class OutboxAppender {
    private final JdbcOutbox outbox;
    private final Outbox<Connection> appending;
    private final DataSource dataSource;

    /**
     * An appender that observes nothing.
     *
     * @param outbox the outbox
     * @param dataSource the data source of the outbox and of the application's transactions
     */
    public OutboxAppender(JdbcOutbox outbox, DataSource dataSource) {
        this(outbox, dataSource, EventInstrumentation.noop());
    }

    /**
     * @param outbox the outbox
     * @param dataSource the data source of the outbox and of the application's transactions
     * @param instrumentation observes each append, e.g. {@code MicrometerInstrumentation};
     *     {@link EventInstrumentation#noop()} for none
     */
    public OutboxAppender(JdbcOutbox outbox, DataSource dataSource, EventInstrumentation instrumentation) {
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.appending = Outbox.observed(outbox, Objects.requireNonNull(instrumentation, "instrumentation"));
    }

    /**
     * Appends events in the current transaction.
     *
     * @param events the events, in order
     * @throws IllegalStateException if no Spring-managed transaction is active on this thread (the rows
     *     would otherwise commit on their own, whatever happens to the business writes)
     * @throws io.eventcore.EventcoreException if the insert fails; let it roll the transaction back
     */
    public void append(OutboxEvent... events) {
        append(List.of(events));
    }

    /**
     * Appends events in the current transaction.
     *
     * @param events the events, in order
     * @throws IllegalStateException if no Spring-managed transaction is active on this thread
     * @throws io.eventcore.EventcoreException if the insert fails; let it roll the transaction back
     */
    public void append(List<OutboxEvent> events) {
        Objects.requireNonNull(events, "events");
        if (!TransactionSynchronizationManager.isActualTransactionActive()
                || !TransactionSynchronizationManager.isSynchronizationActive()) {
            throw new IllegalStateException("OutboxAppender.append needs an active Spring-managed transaction"
                    + " (call it from a @Transactional method), but there is none on thread "
                    + Thread.currentThread().getName());
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            appending.append(connection, events);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
        wakeRelayAfterCommit();
    }

    private void wakeRelayAfterCommit() {
        for (TransactionSynchronization registered : TransactionSynchronizationManager.getSynchronizations()) {
            if (registered instanceof WakeRelay wake && wake.outbox == outbox) {
                return;
            }
        }
        TransactionSynchronizationManager.registerSynchronization(new WakeRelay(outbox));
    }

    /** Wakes the local relay once the appending transaction committed. */
    private static final class WakeRelay implements TransactionSynchronization {
        private final JdbcOutbox outbox;

        WakeRelay(JdbcOutbox outbox) {
            this.outbox = outbox;
        }

        @Override
        public void afterCommit() {
            outbox.committed();
        }
    }

    @Override
    public String toString() {
        return "OutboxAppender[" + outbox.dialect() + "]";
    }
}
