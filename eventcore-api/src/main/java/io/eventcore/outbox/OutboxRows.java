package io.eventcore.outbox;

import io.eventcore.EventcoreException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Part of the {@link OutboxStore} SPI: reading the rows of a leased shard and settling them.
 *
 * <p>Every keyed row belongs to one of {@link #shardCount()} shards, {@link #shardOf(String, int) a pure
 * function of its key}. Within a shard, rows are read in id order, and a row that waits for a retry hides
 * every later row with the same key from {@link #fetch}: a failing row blocks only its own key.
 * {@link #complete} applies a settlement only while the lease's fence is current, so a relay that lost its
 * lease cannot mark rows.
 *
 * <p>Rows without a key carry no order. A store either spreads them over the shards (they are then
 * fetched like keyed rows) or offers {@link #unkeyedClaims() unkeyed claims}, which take them outside the
 * shards.
 *
 * <p>Implementations are thread-safe. Methods throw {@link EventcoreException} when the store is
 * unreachable; the relay backs off and tries again.
 */
public interface OutboxRows {

    /**
     * The shard of a key: a stable function of the key's UTF-16 {@link String#hashCode()}, mixed so
     * that similar keys spread evenly. Stores use it when rows are appended.
     *
     * @param key the aggregate id
     * @param shardCount the number of shards, at least 1
     * @return {@code 0 <= shard < shardCount}
     */
    static int shardOf(String key, int shardCount) {
        int h = key.hashCode() * 0x9E3779B9;
        return Math.floorMod(h ^ (h >>> 16), shardCount);
    }

    /** @return how many shards keyed rows are spread over; fixed for the life of the store */
    int shardCount();

    /**
     * A name of this outbox, stable across restarts, which the relay uses in the ids of its transactional
     * streams ({@code <name>-<shard>}, see {@link io.eventcore.transport.Transactions}). Two outboxes relayed to
     * one broker must have different names (or their relays different transactional id prefixes), or their
     * relays fence each other.
     *
     * @return the name; the default is {@code "outbox"}, the JDBC store gives its table name
     */
    default String name() {
        return "outbox";
    }

    /**
     * Reads the next rows of a leased shard that may be published now: pending rows in id order,
     * without those behind a row of the same key that waits for a retry.
     *
     * @param lease the caller's lease
     * @param now current time
     * @param limit the most rows to return
     * @return rows in id order
     * @throws EventcoreException if the store is unreachable
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
     * @throws EventcoreException if the store is unreachable; nothing was changed
     */
    boolean complete(OutboxLease lease, OutboxCompletion completion, Instant now);

    /**
     * Settles the batches of several leases, each only while its fence is current, as one pass of the relay
     * gives them. The default calls {@link #complete} for each, in the map's order; a store may instead apply
     * them all in one transaction (one commit per pass rather than one per shard), in which case a failure
     * changes nothing for any of them.
     *
     * @param settlements what became of each lease's rows
     * @param now current time
     * @return the leases whose fence was stale: nothing of theirs was changed
     * @throws EventcoreException if the store is unreachable; the leases not yet settled (with a
     *         single-transaction store: all of them) were not changed
     */
    default Set<OutboxLease> completeAll(Map<OutboxLease, OutboxCompletion> settlements, Instant now) {
        Set<OutboxLease> stale = new HashSet<>();
        for (Map.Entry<OutboxLease, OutboxCompletion> e : settlements.entrySet()) {
            if (!complete(e.getKey(), e.getValue(), now)) {
                stale.add(e.getKey());
            }
        }
        return stale;
    }

    /**
     * The optional capability to claim rows without a key outside the shards (for instance with
     * {@code FOR UPDATE SKIP LOCKED}), so any relay may publish them without a lease.
     *
     * @return the claims, or empty when this store spreads unkeyed rows over the shards (the default)
     */
    default Optional<UnkeyedClaims> unkeyedClaims() {
        return Optional.empty();
    }
}
