package io.eventcore.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eventcore.outbox.OutboxAdmin;
import io.eventcore.outbox.OutboxBacklog;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link OutboxAdmin} part of the outbox-store contract: the dead table (rows behind a dead row flow,
 * replay, bounded purge by age), the backlog, and the purge of published rows where the store keeps them.
 * Extend {@link OutboxStoreContract}, which runs every part; the tests are {@code final}.
 */
public abstract class OutboxAdminContract extends OutboxLeasesContract {

    /**
     * A dead row unblocks its key, can be replayed as the newest row of its key, and is purged by age in bounded
     * batches.
     */
    @Test
    public final void deadRow_leavesTheKeyFlowing_andCanBeReplayedOrPurged() {
        appendCommitted(sequence("p", 0, 3));
        List<OutboxLease> leases = leaseAll("r1", t0());
        settleAll(leases, t0(), (r, c) -> {
            if (text(r).equals("p:0")) {
                c.dead(r.failed(5, "poison"), t0());
            }
        });
        assertEquals(List.of("p:1", "p:2"), texts(fetchAll(leases, t0())), "rows behind a dead row flow");
        List<OutboxRecord> dead = store().deadRecords(10);
        assertEquals(1, dead.size());
        assertEquals("p:0", text(dead.get(0)));
        assertEquals(5, dead.get(0).attempts());
        assertEquals("poison", dead.get(0).lastError());
        assertEquals(new OutboxBacklog(2, store().backlog().oldestCreatedAt(), 1), store().backlog());

        assertEquals(1, store().replayDead(List.of(dead.get(0).id()), t0().plusSeconds(1)));
        assertEquals(List.of("p:1", "p:2", "p:0"), texts(fetchAll(leases, t0().plusSeconds(1))),
                "a replayed row comes back as the newest of its key, with no attempts");
        assertEquals(0, store().deadRecords(10).size());

        settleAll(leases, t0().plusSeconds(2), (r, c) -> c.dead(r, t0().plusSeconds(2)));
        assertEquals(3, store().deadRecords(10).size());
        assertEquals(0, store().purgeDead(t0().plusSeconds(2), 10), "cutoff is exclusive");
        assertEquals(2, store().purgeDead(t0().plusSeconds(3), 2), "purge is bounded by its limit");
        assertEquals(1, store().purgeDead(t0().plusSeconds(3), 2));
        assertEquals(new OutboxBacklog(0, null, 0), store().backlog());
    }

    /** Replaying no ids, or ids that are not in the dead table, moves nothing. */
    @Test
    public final void replayDead_ignoresUnknownIds() {
        assertEquals(0, store().replayDead(List.of(), t0()));
        assertEquals(0, store().replayDead(List.of(Long.MAX_VALUE), t0()));
    }

    /**
     * Replaying is idempotent: the same dead row replayed again, or by several callers at once, comes back
     * once.
     *
     * @throws Exception if the implementation under test fails unexpectedly
     */
    @Test
    public final void replayDead_isIdempotent_alsoWhenConcurrent() throws Exception {
        appendCommitted(sequence("r", 0, 2));
        List<OutboxLease> leases = leaseAll("r1", t0());
        settleAll(leases, t0(), (r, c) -> c.dead(r.failed(1, "poison"), t0()));
        List<Long> ids = store().deadRecords(10).stream().map(OutboxRecord::id).toList();
        assertEquals(2, ids.size());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Integer>> replays = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                replays.add(pool.submit(() -> {
                    go.await();
                    return store().replayDead(ids, t0().plusSeconds(1));
                }));
            }
            go.countDown();
            int moved = 0;
            for (java.util.concurrent.Future<Integer> f : replays) {
                moved += f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertEquals(2, moved, "each dead row is moved back once, whoever replays it");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, store().replayDead(ids, t0().plusSeconds(2)), "replaying again moves nothing");
        assertEquals(List.of("r:0", "r:1"), texts(fetchAll(leases, t0().plusSeconds(2))), "each row is back once");
        assertEquals(0, store().deadRecords(10).size());
    }

    /** Published rows are not fetched again; where the store keeps them, they are purged by age in bounded batches. */
    @Test
    public final void publishedRows_areNotFetchedAgain_andArePurgedByAgeWhereKept() {
        appendCommitted(sequence("k", 0, 3));
        List<OutboxLease> leases = leaseAll("r1", t0());
        settleAll(leases, t0(), (r, c) -> c.published(r));
        assertEquals(List.of(), texts(fetchAll(leases, t0().plusSeconds(1))), "published rows are done");
        assertEquals(0, store().backlog().pending());
        if (features().keepsPublishedRows()) {
            assertEquals(0, store().purgePublished(t0(), 10), "cutoff is exclusive");
            assertEquals(2, store().purgePublished(t0().plusSeconds(1), 2), "purge is bounded by its limit");
            assertEquals(1, store().purgePublished(t0().plusSeconds(1), 2));
        }
        assertEquals(0, store().purgePublished(t0().plusSeconds(1), 10), "nothing (left) to purge");
    }
}
