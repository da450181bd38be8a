package io.eventcore.inbox;

import java.time.Instant;
import java.util.List;

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
     * Processes a batch: records every pair that is new, runs {@code work} once with the positions of the new ones
     * (not at all when every one is a duplicate, or a repeat of an id earlier in the list), and commits. A store
     * that can do it all in one transaction does (JDBC); this default runs {@link #processOnce} per event, each in
     * its own transaction, and stops at the first failure: the events before it stay processed, so handling the
     * batch again skips them. Either way, every event has its effects at most once.
     *
     * @param consumerGroup the consumer group, not blank
     * @param eventIds the events' ids, in order, none blank
     * @param work the effects of the new events, written with the transaction's resource; it must not commit
     * @return how many events were new
     * @throws Exception what the work threw, or the store's failure; nothing of the failed transaction stays
     */
    default int processBatchOnce(String consumerGroup, List<String> eventIds, BatchWork<X> work) throws Exception {
        int fresh = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < eventIds.size(); i++) {
            int index = i;
            if (seen.add(eventIds.get(i))
                    && processOnce(consumerGroup, eventIds.get(i), tx -> work.run(List.of(index), tx))) {
                fresh++;
            }
        }
        return fresh;
    }

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

    /**
     * The effects of a batch's new events, run inside the inbox's transaction.
     *
     * @param <X> the transaction's resource
     */
    @FunctionalInterface
    interface BatchWork<X> {
        /**
         * @param fresh the positions, in the batch, of the events that are new, in order; not empty
         * @param transaction the resource to write with; do not commit, roll back or close it
         * @throws Exception anything; the transaction is then rolled back
         */
        void run(List<Integer> fresh, X transaction) throws Exception;
    }
}
