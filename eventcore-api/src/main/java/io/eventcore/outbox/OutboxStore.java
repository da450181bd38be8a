package io.eventcore.outbox;

import io.eventcore.EventcoreException;
import io.eventcore.transport.Ordering;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The storage SPI behind the outbox relay ({@link OutboxPublisher}). The JDBC module and the
 * in-memory test kit implement it, and both pass the outbox-store contract suite in eventcore-test.
 *
 * <h2>Ordering model</h2>
 * Every keyed row belongs to one of {@link #shardCount()} shards, a pure function of its key. A relay
 * reads and settles a shard only while it holds the shard's {@link OutboxLease}; the lease carries a
 * fence that goes up on every change of owner, and {@link #complete} rejects a stale fence, so a relay
 * that lost its lease cannot mark rows. Within a shard, rows are read in id order, and a row that is
 * waiting for a retry hides every later row with the same key from {@link #fetch}: a failing row
 * blocks only its own key.
 *
 * <p>Rows without a key carry no order. A store may relay them through
 * {@link #relayUnkeyed} (a {@code FOR UPDATE SKIP LOCKED} claim, no lease) when it returns
 * {@code true} from {@link #supportsUnkeyedClaims()}; otherwise it spreads them over the shards.
 *
 * <h2>Time</h2>
 * Times are the relay's clock. Leases compare the clocks of different relay hosts, so those clocks
 * should agree to well within the lease time to live.
 *
 * <p>Implementations are thread-safe. Methods throw {@link EventcoreException} when the store is
 * unreachable; the relay backs off and tries again.
 */
public interface OutboxStore {

    /** @return how many shards keyed rows are spread over; fixed for the life of the table */
    int shardCount();

    /**
     * The shard of a key: a stable function of the key's UTF-16 {@link String#hashCode()}, mixed so
     * that similar keys spread evenly. Stores use it when rows are appended.
     *
     * @param key the aggregate id
     * @param shardCount the number of shards
     * @return {@code 0 <= shard < shardCount}
     */
    static int shardOf(String key, int shardCount) {
        int h = key.hashCode() * 0x9E3779B9;
        return Math.floorMod(h ^ (h >>> 16), shardCount);
    }

    /**
     * Registers or refreshes a relay as alive, so others can share the shards with it.
     *
     * @param relayId the relay
     * @param now current time
     * @param ttl how long the registration lasts without a new heartbeat
     * @return how many relays are alive now, this one included
     */
    int heartbeat(String relayId, Instant now, Duration ttl);

    /**
     * Unregisters a relay and releases all its leases (graceful shutdown).
     *
     * @param relayId the relay
     */
    void leave(String relayId);

    /**
     * Takes a shard's lease if it is free, expired or already this relay's. Taking it from another
     * owner (or from nobody) increments the fence.
     *
     * @param shard the shard
     * @param relayId the relay
     * @param now current time
     * @param ttl how long the lease lasts without renewal
     * @return the lease, or empty if another relay holds it
     */
    Optional<OutboxLease> acquire(int shard, String relayId, Instant now, Duration ttl);

    /**
     * Extends a lease, if its fence is still current.
     *
     * @param lease the lease
     * @param now current time
     * @param ttl the new time to live from {@code now}
     * @return the renewed lease, or empty if it was lost (another relay took it over)
     */
    Optional<OutboxLease> renew(OutboxLease lease, Instant now, Duration ttl);

    /**
     * Gives a lease up so another relay may take it at once. Does nothing if it was lost already.
     *
     * @param lease the lease
     */
    void release(OutboxLease lease);

    /**
     * Reads the next rows of a leased shard that may be published now: pending rows in id order,
     * without those behind a row of the same key that waits for a retry.
     *
     * @param lease the caller's lease
     * @param now current time
     * @param limit the most rows to return
     * @return rows in id order
     */
    List<OutboxRecord> fetch(OutboxLease lease, Instant now, int limit);

    /**
     * Settles a batch in one transaction if the lease's fence is still current: published rows are
     * deleted (or marked, when the store keeps published rows), retried rows get their attempts, error
     * and next attempt time, and dead rows move to the dead table.
     *
     * @param lease the lease the rows were fetched under
     * @param completion what became of the rows
     * @param now current time
     * @return {@code false} if the fence was stale: nothing was changed
     */
    boolean complete(OutboxLease lease, OutboxCompletion completion, Instant now);

    /**
     * @return whether {@link #relayUnkeyed} claims rows without a key (they are not in any shard)
     */
    default boolean supportsUnkeyedClaims() {
        return false;
    }

    /**
     * Claims up to {@code limit} due rows without a key that no other relay has claimed, hands them
     * to {@code publish}, and settles them with its result, all while holding the claim (row locks
     * taken with {@code SKIP LOCKED}).
     *
     * @param now current time
     * @param limit the most rows to claim
     * @param publish publishes the rows and says what became of them
     * @return how many rows were claimed
     * @throws UnsupportedOperationException if {@link #supportsUnkeyedClaims()} is {@code false}
     */
    default int relayUnkeyed(Instant now, int limit, Function<List<OutboxRecord>, OutboxCompletion> publish) {
        throw new UnsupportedOperationException("this store spreads unkeyed rows over shards");
    }

    /**
     * @param limit the most rows to return
     * @return dead rows, oldest first
     */
    List<OutboxRecord> deadRecords(int limit);

    /**
     * Moves dead rows back to the outbox with no attempts, as the newest rows of their keys.
     *
     * @param ids ids of dead rows ({@link OutboxRecord#id()} as returned by {@link #deadRecords})
     * @param now current time
     * @return how many rows were moved back
     */
    int replayDead(Collection<Long> ids, Instant now);

    /**
     * Deletes up to {@code limit} dead rows that died before {@code cutoff}.
     *
     * @param cutoff delete rows given up before this time
     * @param limit the most rows to delete in this call
     * @return how many were deleted
     */
    int purgeDead(Instant cutoff, int limit);

    /**
     * Deletes up to {@code limit} published rows kept since before {@code cutoff}. Stores that delete
     * rows when they are published return 0.
     *
     * @param cutoff delete rows published before this time
     * @param limit the most rows to delete in this call
     * @return how many were deleted
     */
    int purgePublished(Instant cutoff, int limit);

    /** @return the pending and dead row counts and the oldest pending row's creation time */
    OutboxBacklog backlog();

    /**
     * Registers a callback run after events were appended (and, where the store can tell, committed)
     * through this process's outbox, so a local relay can wake up at once.
     *
     * @param listener the callback; it must be quick and must not throw
     */
    default void onAppend(Runnable listener) {
    }

    /**
     * Tells relays in other processes that there may be work (PostgreSQL {@code NOTIFY}). Stores
     * without such a channel do nothing. The relay calls it at most once per poll interval, never per
     * business transaction.
     */
    default void hintOthers() {
    }

    /**
     * Starts listening for {@link #hintOthers() hints} from other processes.
     *
     * @param listener run on each hint; it must be quick and must not throw
     * @return stops listening when closed
     */
    default AutoCloseable listenForHints(Runnable listener) {
        return () -> { };
    }
}
