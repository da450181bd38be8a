package io.eventcore.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxLeases;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The {@link OutboxLeases} part of the outbox-store contract: exclusive leases until expiry, fences that go
 * up on takeover, renewal only under the current fence, release, heartbeats and leaving. Extend
 * {@link OutboxStoreContract}, which runs every part; the tests are {@code final}.
 */
public abstract class OutboxLeasesContract extends OutboxRowsContract {

    /**
     * A lease is exclusive until it expires; taking it over raises the fence, and the old owner can no longer renew.
     */
    @Test
    public final void lease_isExclusiveUntilExpiry_andTakeoverRaisesTheFence() {
        OutboxLease a = store().acquire(0, "A", t0(), TTL).orElseThrow();
        assertEquals(Optional.empty(), store().acquire(0, "B", t0().plusSeconds(5), TTL), "held lease is exclusive");
        OutboxLease again = store().acquire(0, "A", t0().plusSeconds(1), TTL).orElseThrow();
        assertEquals(a.fence(), again.fence(), "re-acquiring one's own lease keeps the fence");
        OutboxLease b = store().acquire(0, "B", t0().plusSeconds(12), TTL).orElseThrow(
                () -> new AssertionError("an expired lease can be taken over"));
        assertTrue(b.fence() > a.fence(), "takeover raises the fence: " + a.fence() + " -> " + b.fence());
        assertEquals(Optional.empty(), store().renew(again, t0().plusSeconds(13), TTL), "the old owner cannot renew");
        assertTrue(store().renew(b, t0().plusSeconds(13), TTL).isPresent());
    }

    /**
     * A released lease can be taken at once, under a new fence, and its old holder can neither renew nor release it
     * again.
     */
    @Test
    public final void releasedLease_isFreeAtOnce_andCannotBeRenewed() {
        OutboxLease a = store().acquire(1, "A", t0(), TTL).orElseThrow();
        store().release(a);
        assertEquals(Optional.empty(), store().renew(a, t0().plusSeconds(1), TTL), "a released lease is gone");
        OutboxLease b = store().acquire(1, "B", t0().plusSeconds(1), TTL).orElseThrow(
                () -> new AssertionError("a released lease can be taken before it expires"));
        assertTrue(b.fence() > a.fence(), "a new owner gets a new fence: " + a.fence() + " -> " + b.fence());
        store().release(a);
        assertTrue(store().renew(b, t0().plusSeconds(2), TTL).isPresent(), "releasing a lost lease changes nothing");
    }

    /** Heartbeats count the relays alive now; leaving releases the relay's leases at once. */
    @Test
    public final void heartbeat_countsLiveRelays_andLeaveReleasesLeases() {
        assertEquals(1, store().heartbeat("A", t0(), TTL));
        assertEquals(2, store().heartbeat("B", t0().plusSeconds(1), TTL));
        assertEquals(1, store().heartbeat("B", t0().plusSeconds(12), TTL), "A's registration expired");
        store().acquire(1, "A", t0(), TTL).orElseThrow();
        store().leave("A");
        assertTrue(store().acquire(1, "B", t0().plusSeconds(1), TTL).isPresent(), "leave releases leases at once");
    }
}
