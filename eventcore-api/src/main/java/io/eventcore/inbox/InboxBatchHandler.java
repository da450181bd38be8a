package io.eventcore.inbox;

import io.eventcore.BatchContext;
import io.eventcore.Event;
import java.util.List;

/**
 * The effects of a batch's new events, written in the inbox's transaction (see {@link Inbox#batchHandler}).
 * Throwing anything rolls the whole transaction back and fails the whole batch.
 *
 * @param <T> payload type
 * @param <X> the transaction's resource, e.g. a JDBC {@code Connection}
 */
@FunctionalInterface
public interface InboxBatchHandler<T, X> {

    /**
     * @param events the batch's events that were not processed before, in order; never empty
     * @param context their delivery contexts, in the same order
     * @param transaction the resource to write with; do not commit, roll back or close it
     * @throws Exception to roll back and fail the batch
     */
    void handle(List<Event<T>> events, BatchContext context, X transaction) throws Exception;
}
