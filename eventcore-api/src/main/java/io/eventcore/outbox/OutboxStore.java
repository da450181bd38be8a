package io.eventcore.outbox;

/**
 * The storage SPI behind the outbox relay ({@link OutboxPublisher}): what a relay needs from a store,
 * composed of one small interface per concern.
 *
 * <ul>
 *   <li>{@link OutboxRows}: read a leased shard's rows in order and settle them under the lease's fence;
 *       optionally {@link UnkeyedClaims claim rows without a key} outside the shards;</li>
 *   <li>{@link OutboxLeases}: relay heartbeats and shard leases with fencing;</li>
 *   <li>{@link OutboxAdmin}: the dead table, purges and the backlog;</li>
 *   <li>{@link OutboxSignals}: wake-ups after local appends and, optionally, a {@link HintChannel} to
 *       relays in other processes.</li>
 * </ul>
 *
 * <p>Optional capabilities are returned as {@link java.util.Optional}s ({@link #unkeyedClaims()},
 * {@link #hints()}), never as a flag plus a method that throws. The JDBC store in
 * {@code eventcore-outbox-jdbc} and the in-memory store in {@code eventcore-test} implement it, and both
 * pass the outbox-store contract suite in {@code eventcore-test}.
 *
 * <h2>Ordering model</h2>
 * Every keyed row belongs to one shard, a pure function of its key ({@link OutboxRows#shardOf}). A relay
 * reads and settles a shard only while it holds the shard's {@link OutboxLease}; the lease carries a fence
 * that goes up on every change of owner, and {@link #complete} rejects a stale fence, so a relay that lost
 * its lease cannot mark rows. Within a shard, rows are read in id order, and a row waiting for a retry
 * blocks only the later rows of its own key.
 *
 * <p>Implementations are thread-safe. Methods throw {@link io.eventcore.EventcoreException} when the store
 * is unreachable; the relay backs off and tries again.
 */
public interface OutboxStore extends OutboxRows, OutboxLeases, OutboxAdmin, OutboxSignals {
}
