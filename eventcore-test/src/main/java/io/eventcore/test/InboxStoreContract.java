package io.eventcore.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventcore.inbox.InboxStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link InboxStore} passes: a (group, event id) pair has its effects once, the
 * record and the effects commit or roll back together, concurrent deliveries of one event run its
 * work once, and purging forgets old records.
 *
 * <p>Subclasses give an empty store per test and a way to write and read an effect in the store's
 * transaction (for a JDBC store: a business row written on the transaction's connection).
 *
 * @param <X> the store's transaction resource
 */
public abstract class InboxStoreContract<X> {
    private static final String GROUP = "billing";

    /** @return the store under test, empty */
    protected abstract InboxStore<X> store();

    /**
     * Writes one effect in the store's transaction.
     *
     * @param transaction the transaction's resource
     * @param effect the effect's key
     * @throws Exception if the write fails
     */
    protected abstract void writeEffect(X transaction, String effect) throws Exception;

    /**
     * @return the committed effects, in any order
     * @throws Exception if they cannot be read
     */
    protected abstract List<String> committedEffects() throws Exception;

    /**
     * The first delivery runs the work and commits its effects with the record.
     *
     * @throws Exception if the store under test fails
     */
    @Test
    public final void firstDelivery_runsTheWork_andCommitsItsEffects() throws Exception {
        assertTrue(store().processOnce(GROUP, "e-1", tx -> writeEffect(tx, "row-1")));
        assertEquals(List.of("row-1"), committedEffects());
    }

    /**
     * A redelivery is recognised: nothing runs.
     *
     * @throws Exception if the store under test fails
     */
    @Test
    public final void redelivery_runsNothing() throws Exception {
        store().processOnce(GROUP, "e-1", tx -> writeEffect(tx, "row-1"));
        assertFalse(store().processOnce(GROUP, "e-1", tx -> writeEffect(tx, "row-1-again")));
        assertEquals(List.of("row-1"), committedEffects());
    }

    /**
     * Each consumer group has its own record of an event.
     *
     * @throws Exception if the store under test fails
     */
    @Test
    public final void anotherGroup_processesTheSameEventAgain() throws Exception {
        store().processOnce(GROUP, "e-1", tx -> writeEffect(tx, "billing-row"));
        assertTrue(store().processOnce("shipping", "e-1", tx -> writeEffect(tx, "shipping-row")));
        assertEquals(List.of("billing-row", "shipping-row"), sorted(committedEffects()));
    }

    /**
     * Ids are compared exactly: case and trailing spaces make different events.
     *
     * @throws Exception if the store under test fails
     */
    @Test
    public final void ids_areComparedExactly() throws Exception {
        store().processOnce(GROUP, "Order-1", tx -> writeEffect(tx, "a"));
        assertTrue(store().processOnce(GROUP, "order-1", tx -> writeEffect(tx, "b")));
        assertTrue(store().processOnce(GROUP, "order-1 ", tx -> writeEffect(tx, "c")));
        assertEquals(List.of("a", "b", "c"), sorted(committedEffects()));
    }

    /**
     * Ids and groups up to 255 characters are kept whole; blank ones are rejected.
     *
     * @throws Exception if the store under test fails
     */
    @Test
    public final void longIds_areKeptWhole_blankOnesRejected() throws Exception {
        String id = "e".repeat(254) + "1";
        String group = "g".repeat(255);
        assertTrue(store().processOnce(group, id, tx -> writeEffect(tx, "long")));
        assertTrue(store().processOnce(group, "e".repeat(254) + "2", tx -> writeEffect(tx, "long-2")));
        assertFalse(store().processOnce(group, id, tx -> writeEffect(tx, "again")));
        assertThrows(IllegalArgumentException.class, () -> store().processOnce(GROUP, " ", tx -> { }));
        assertThrows(IllegalArgumentException.class, () -> store().processOnce("", "e-1", tx -> { }));
    }

    /**
     * A failing work rolls the record back with its effects; the next delivery runs it again.
     *
     * @throws Exception if the store under test fails
     */
    @Test
    public final void failingWork_rollsBackRecordAndEffects_andTheNextDeliveryRuns() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> store().processOnce(GROUP, "e-1", tx -> {
            writeEffect(tx, "half-done");
            throw boom;
        })));
        assertEquals(List.of(), committedEffects());
        assertTrue(store().processOnce(GROUP, "e-1", tx -> writeEffect(tx, "done")));
        assertEquals(List.of("done"), committedEffects());
    }

    /**
     * An {@link Error} rolls back too, and is rethrown as is.
     *
     * @throws Exception if the store under test fails
     */
    @Test
    public final void errorInTheWork_rollsBack_andIsRethrownAsIs() throws Exception {
        AssertionError error = new AssertionError("fatal");
        assertSame(error, assertThrows(AssertionError.class, () -> store().processOnce(GROUP, "e-1", tx -> {
            writeEffect(tx, "half-done");
            throw error;
        })));
        assertEquals(List.of(), committedEffects());
        assertTrue(store().processOnce(GROUP, "e-1", tx -> writeEffect(tx, "done")));
    }

    /**
     * Six deliveries of one event at once (a rebalance hands a partition over while its old owner
     * still works): the work runs once.
     *
     * @throws Exception if the test cannot run
     */
    @Test
    public final void concurrentDeliveries_runTheWorkOnce() throws Exception {
        assertEquals(List.of("effect"), race(false));
    }

    /**
     * Concurrent deliveries where the first to get the record fails: another one then runs.
     *
     * @throws Exception if the test cannot run
     */
    @Test
    public final void concurrentDeliveries_whenTheFirstFails_anotherRuns() throws Exception {
        assertEquals(List.of("effect"), race(true));
    }

    private static List<String> sorted(List<String> values) {
        List<String> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return copy;
    }

    private List<String> race(boolean firstFails) throws Exception {
        int n = 6;
        CountDownLatch started = new CountDownLatch(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        boolean[] failedOnce = {false};
        try {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                runs.add(pool.submit(() -> {
                    started.countDown();
                    return store().processOnce(GROUP, "e-race", tx -> {
                        // Hold the record until every delivery has started, so they overlap.
                        assertTrue(started.await(30, TimeUnit.SECONDS), "all deliveries started");
                        synchronized (failedOnce) {
                            if (firstFails && !failedOnce[0]) {
                                failedOnce[0] = true;
                                throw new IllegalStateException("first delivery fails");
                            }
                        }
                        writeEffect(tx, "effect");
                    });
                }));
            }
            int ran = 0;
            for (Future<Boolean> run : runs) {
                try {
                    ran += run.get(60, TimeUnit.SECONDS) ? 1 : 0;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertEquals("first delivery fails", e.getCause().getMessage());
                }
            }
            assertEquals(1, ran, "deliveries whose work committed");
            return committedEffects();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Purging deletes records older than the cutoff, in batches; a purged event is no longer
     * recognised.
     *
     * @throws Exception if the test cannot run
     */
    @Test
    public final void purge_deletesOldRecordsInBatches_andForgetsThem() throws Exception {
        for (int i = 0; i < 3; i++) {
            String effect = "row-" + i;
            store().processOnce(GROUP, "e-" + i, tx -> writeEffect(tx, effect));
        }
        Instant now = Instant.now();
        assertEquals(0, store().purgeProcessedBefore(now.minus(Duration.ofHours(1)), 10));
        assertFalse(store().processOnce(GROUP, "e-0", tx -> writeEffect(tx, "dup")));
        assertEquals(2, store().purgeProcessedBefore(now.plus(Duration.ofHours(1)), 2));
        assertEquals(1, store().purgeProcessedBefore(now.plus(Duration.ofHours(1)), 2));
        assertEquals(0, store().purgeProcessedBefore(now.plus(Duration.ofHours(1)), 2));
        assertTrue(store().processOnce(GROUP, "e-0", tx -> writeEffect(tx, "after-purge")));
    }

    /**
     * A batch records its new events and runs the work once with their positions; known ids and repeats within the
     * batch are left out; a batch of known ids runs nothing.
     *
     * @throws Exception if the store under test fails
     */
    @Test
    public final void batch_runsTheWorkOnceForItsNewEvents_only() throws Exception {
        assertTrue(store().processOnce(GROUP, "b-1", tx -> writeEffect(tx, "b-1")));
        List<List<Integer>> seen = new ArrayList<>();
        List<String> ids = List.of("b-0", "b-1", "b-2", "b-2", "b-3");

        int fresh = store().processBatchOnce(GROUP, ids, (positions, tx) -> {
            seen.add(positions);
            for (int p : positions) {
                writeEffect(tx, ids.get(p));
            }
        });

        assertEquals(3, fresh);
        assertEquals(List.of(0, 2, 4), seen.stream().flatMap(List::stream).toList());
        assertEquals(List.of("b-0", "b-1", "b-2", "b-3"), sorted(committedEffects()));
        assertEquals(0, store().processBatchOnce(GROUP, ids, (positions, tx) -> writeEffect(tx, "again")));
        assertEquals(4, committedEffects().size());
    }

    /**
     * A batch whose work fails leaves no effect of a failed transaction, and handling the events again has each
     * effect exactly once.
     *
     * @throws Exception if the store under test fails
     */
    @Test
    public final void batch_failingWork_leavesEachEffectOnceAfterTheEventsAreHandledAgain() throws Exception {
        List<String> ids = List.of("f-0", "f-1", "f-2");
        assertThrows(IllegalStateException.class, () -> store().processBatchOnce(GROUP, ids, (positions, tx) -> {
            for (int p : positions) {
                if (ids.get(p).equals("f-1")) {
                    throw new IllegalStateException("f-1 is poison");
                }
                writeEffect(tx, ids.get(p));
            }
        }));
        for (String id : ids) {
            store().processOnce(GROUP, id, tx -> writeEffect(tx, id));
        }
        assertEquals(ids, sorted(committedEffects()));
    }

    /**
     * Two overlapping batches at once (a rebalance): every event's effect commits once, whichever batch or retry
     * alone handled it.
     *
     * @throws Exception if the test cannot run
     */
    @Test
    public final void overlappingBatches_haveEachEffectOnce() throws Exception {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            (i < 14 ? first : second).add("o-" + i);
            if (i >= 6 && i < 14) {
                second.add("o-" + i);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch both = new CountDownLatch(2);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (List<String> ids : List.of(first, second)) {
                runs.add(pool.submit(() -> {
                    both.countDown();
                    assertTrue(both.await(30, TimeUnit.SECONDS));
                    try {
                        store().processBatchOnce(GROUP, ids, (positions, tx) -> {
                            for (int p : positions) {
                                writeEffect(tx, ids.get(p));
                            }
                        });
                    } catch (Exception lostTheRace) {
                        for (String id : ids) { // what the router does after a failed batch: each event alone
                            store().processOnce(GROUP, id, tx -> writeEffect(tx, id));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> effects = sorted(committedEffects());
        assertEquals(20, effects.size(), "effects: " + effects);
        assertEquals(20, new java.util.HashSet<>(effects).size(), "each effect once: " + effects);
    }
}
