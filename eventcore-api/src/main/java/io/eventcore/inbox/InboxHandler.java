package io.eventcore.inbox;

import io.eventcore.Event;
import io.eventcore.EventContext;

/**
 * A handler whose writes go through the inbox's transaction: with {@code JdbcInbox} it gets the
 * transaction's {@code Connection}, on which it writes business rows and appends follow-up events
 * to the outbox ({@code JdbcOutbox.append(connection, ...)}).
 *
 * @param <T> payload type
 * @param <X> the transaction's resource, e.g. a JDBC {@code Connection}
 */
@FunctionalInterface
public interface InboxHandler<T, X> {

    /**
     * @param event the decoded event
     * @param context delivery details
     * @param transaction the inbox transaction's resource; do not commit, roll back or close it
     * @throws Exception any failure: the transaction is rolled back (the inbox record too), and the
     *         router's retry and dead-letter policies apply as for any handler
     */
    void handle(Event<T> event, EventContext context, X transaction) throws Exception;
}
