package io.eventcore.inbox;

import java.time.Instant;

/**
 * Where an inbox records which events a consumer group has processed, so that a redelivered event
 * has its effects only once. The record and the handler's own writes share one transaction: both
 * commit, or neither does.
 *
 * <p>Implementations: {@code JdbcInbox} ({@code eventcore-outbox-jdbc}; the transaction is a JDBC
 * {@code Connection}) and, for tests, {@code InMemoryInboxStore} ({@code eventcore-test}). Every
 * implementation passes {@code InboxStoreContract}. Implementations must be thread-safe.
 *
 * @param <X> what the work gets to write with in the transaction, e.g. a JDBC {@code Connection}
 */
public interface InboxStore<X> {

    /**
     * In one transaction: records {@code (consumerGroup, eventId)}, runs {@code work}, commits. When
     * the pair is already recorded (committed by an earlier delivery), runs nothing and returns
     * {@code false}. When another transaction is recording the same pair right now, waits for it:
     * {@code false} if it commits, the work runs if it rolls back. When {@code work} throws, the
     * transaction (the record included) is rolled back and the failure is rethrown.
     *
     * @param consumerGroup the consumer group, not blank
     * @param eventId the event id, not blank
     * @param work the effects, written with the transaction's resource; it must not commit
     * @return {@code true} if the work ran and committed, {@code false} for a duplicate
     * @throws Exception what the work threw (an {@link Error} as is), or the store's failure
     */
    boolean processOnce(String consumerGroup, String eventId, Work<X> work) throws Exception;

    /**
     * Deletes at most {@code limit} records made before {@code cutoff}. A redelivery of a purged
     * event is no longer recognised.
     *
     * @param cutoff records made strictly before this instant go
     * @param limit the most records to delete in this call, &gt;= 1
     * @return how many were deleted
     */
    int purgeProcessedBefore(Instant cutoff, int limit);

    /**
     * The effects of one event, run inside the inbox's transaction.
     *
     * @param <X> the transaction's resource
     */
    @FunctionalInterface
    interface Work<X> {
        /**
         * @param transaction the resource to write with; do not commit, roll back or close it
         * @throws Exception anything; the transaction is then rolled back
         */
        void run(X transaction) throws Exception;
    }
}
