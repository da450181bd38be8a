package io.eventcore.outbox;

import io.eventcore.EventcoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Part of the {@link OutboxStore} SPI: relay registrations and shard leases with fencing.
 *
 * <p>A relay reads and settles a shard only while it holds the shard's {@link OutboxLease}; the lease
 * carries a fence that goes up on every change of owner. Live relays {@link #heartbeat register} so that
 * each can keep to its fair share of the shards.
 *
 * <p>Clocks: {@code now} is the relay's clock. A store may time leases and heartbeats by that {@code now},
 * as the in-memory store does: then the clocks of the relay hosts must agree to well within the lease time
 * to live. Or it may time them by a clock of its own, as the JDBC store does with the database's clock: it
 * then starts each time to live when it runs the call, compares expiries with its own current time, and
 * ignores {@code now} for expiry, so relay host clock skew does not matter. Either way the
 * {@link OutboxLease#until() until} it returns is {@code now + ttl} in the relay's clock or earlier, which
 * the lease outlasts, so the relay can judge the time left by its own clock.
 *
 * <p>Implementations are thread-safe. Methods throw {@link EventcoreException} when the store is
 * unreachable; the relay backs off and tries again.
 */
public interface OutboxLeases {

    /**
     * Registers or refreshes a relay as alive, so others can share the shards with it.
     *
     * @param relayId the relay
     * @param now current time
     * @param ttl how long the registration lasts without a new heartbeat
     * @return how many relays are alive now, this one included
     * @throws EventcoreException if the store is unreachable
     */
    int heartbeat(String relayId, Instant now, Duration ttl);

    /**
     * Unregisters a relay and releases all its leases (graceful shutdown).
     *
     * @param relayId the relay
     * @throws EventcoreException if the store is unreachable; the leases then expire on their own
     */
    void leave(String relayId);

    /**
     * Takes a shard's lease if it is free, expired or already this relay's. Taking it from another
     * owner (or from nobody) increments the fence.
     *
     * @param shard the shard, {@code 0 <= shard < shardCount}
     * @param relayId the relay
     * @param now current time
     * @param ttl how long the lease lasts without renewal
     * @return the lease, or empty if another relay holds it
     * @throws EventcoreException if the store is unreachable
     */
    Optional<OutboxLease> acquire(int shard, String relayId, Instant now, Duration ttl);

    /**
     * Extends a lease, if its fence is still current.
     *
     * @param lease the lease
     * @param now current time
     * @param ttl the new time to live from {@code now}
     * @return the renewed lease, or empty if it was lost (another relay took it over)
     * @throws EventcoreException if the store is unreachable
     */
    Optional<OutboxLease> renew(OutboxLease lease, Instant now, Duration ttl);

    /**
     * Gives a lease up so another relay may take it at once. Does nothing if it was lost already.
     *
     * @param lease the lease
     * @throws EventcoreException if the store is unreachable; the lease then expires on its own
     */
    void release(OutboxLease lease);
}
