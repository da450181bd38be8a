package io.eventcore.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.outbox.OutboxBacklog;
import io.eventcore.outbox.OutboxCompletion;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.outbox.OutboxStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link OutboxStore} passes: transactional appends, id order per key, exclusive
 * leases with fencing, per-key blocking on retries, the dead table, unkeyed claims and the relay
 * end to end. Extend it and implement the three methods; the tests are {@code final}.
 *
 * <pre>{@code
 * class PostgresOutboxStoreTest extends OutboxStoreContract {
 *     protected OutboxStore emptyStore() { ... }           // called before each test
 *     protected void appendCommitted(List<OutboxEvent> events) { ... }
 *     protected void appendRolledBack(List<OutboxEvent> events) { ... }
 * }
 * }</pre>
 */
public abstract class OutboxStoreContract {
    private static final Duration TTL = Duration.ofSeconds(10);
    private OutboxStore store;
    private Instant t0;

    /**
     * @return an empty store (tables emptied) for the next test; called before each test
     */
    protected abstract OutboxStore emptyStore();

    /**
     * Appends the events in one transaction, and commits it.
     *
     * @param events the events
     */
    protected abstract void appendCommitted(List<OutboxEvent> events);

    /**
     * Appends the events in one transaction, and rolls it back.
     *
     * @param events the events
     */
    protected abstract void appendRolledBack(List<OutboxEvent> events);

    @BeforeEach
    final void resetStore() {
        store = emptyStore();
        t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static List<OutboxEvent> sequence(String key, int from, int count) {
        List<OutboxEvent> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(OutboxEvent.builder("Order", key).rawPayload("Step",
                    (key + ":" + i).getBytes(StandardCharsets.UTF_8)).build());
        }
        return out;
    }

    private static String text(OutboxRecord r) {
        return new String(r.payload(), StandardCharsets.UTF_8);
    }

    private List<OutboxLease> leaseAll(String relay, Instant now) {
        List<OutboxLease> out = new ArrayList<>();
        for (int s = 0; s < store.shardCount(); s++) {
            out.add(store.acquire(s, relay, now, TTL).orElseThrow(() -> new AssertionError("shard not free")));
        }
        return out;
    }

    private Map<OutboxLease, List<OutboxRecord>> fetchAll(List<OutboxLease> leases, Instant now) {
        Map<OutboxLease, List<OutboxRecord>> out = new HashMap<>();
        for (OutboxLease l : leases) {
            out.put(l, store.fetch(l, now, 10_000));
        }
        return out;
    }

    private static List<String> texts(Map<OutboxLease, List<OutboxRecord>> fetched) {
        return fetched.values().stream().flatMap(List::stream).map(OutboxStoreContract::text).toList();
    }

    @Test
    public final void committedAppends_areFetchedInAppendOrderPerKey() {
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            for (String key : List.of("a", "b", "c", "d")) {
                events.addAll(sequence(key, i, 1));
            }
        }
        appendCommitted(events.subList(0, 20));
        appendCommitted(events.subList(20, 40));
        Map<OutboxLease, List<OutboxRecord>> fetched = fetchAll(leaseAll("r1", t0), t0);
        for (String key : List.of("a", "b", "c", "d")) {
            List<String> ofKey = texts(fetched).stream().filter(t -> t.startsWith(key + ":")).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add(key + ":" + i);
            }
            assertEquals(expected, ofKey, "rows of key " + key + " in append order");
        }
        for (Map.Entry<OutboxLease, List<OutboxRecord>> e : fetched.entrySet()) {
            List<OutboxRecord> rows = e.getValue();
            for (int i = 1; i < rows.size(); i++) {
                assertTrue(rows.get(i - 1).id() < rows.get(i).id(), "ids ascend within a shard");
            }
            for (OutboxRecord r : rows) {
                assertEquals(e.getKey().shard(), OutboxStore.shardOf(r.aggregateId(), store.shardCount()),
                        "row " + r + " is in its key's shard");
            }
        }
        OutboxBacklog backlog = store.backlog();
        assertEquals(40, backlog.pending());
        assertNotNull(backlog.oldestCreatedAt());
        assertEquals(0, backlog.dead());
    }

    @Test
    public final void rolledBackAppend_leavesNothing() {
        appendRolledBack(sequence("k", 0, 5));
        appendCommitted(sequence("k", 5, 1));
        assertEquals(List.of("k:5"), texts(fetchAll(leaseAll("r1", t0), t0)));
        assertEquals(1, store.backlog().pending());
    }

    @Test
    public final void storedRow_keepsBytesHeadersTopicAndIds() {
        byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28, 0, 1, (byte) 0xFF};
        OutboxEvent event = OutboxEvent.builder("Payment", "p-1").rawPayload("PaymentTaken", notUtf8)
                .header(EventHeaders.TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .header("tenant", "a=b;c\nd%e").topic("payments-v2").eventId("evt-1")
                .occurredAt(t0.minusSeconds(60)).build();
        appendCommitted(List.of(event));
        OutboxLease lease = store.acquire(OutboxStore.shardOf("p-1", store.shardCount()), "r1", t0, TTL).orElseThrow();
        List<OutboxRecord> rows = store.fetch(lease, t0, 10);
        assertEquals(1, rows.size());
        OutboxRecord r = rows.get(0);
        assertArrayEquals(notUtf8, r.payload());
        assertEquals("evt-1", r.eventId());
        assertEquals("Payment", r.aggregateType());
        assertEquals("p-1", r.aggregateId());
        assertEquals("PaymentTaken", r.eventType());
        assertEquals("payments-v2", r.topic());
        assertEquals(Map.of(EventHeaders.TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "tenant", "a=b;c\nd%e"), r.headers());
        assertEquals(t0.minusSeconds(60), r.createdAt());
        assertEquals(0, r.attempts());
        assertNull(r.lastError());
    }

    @Test
    public final void lease_isExclusiveUntilExpiry_andTakeoverRaisesTheFence() {
        OutboxLease a = store.acquire(0, "A", t0, TTL).orElseThrow();
        assertEquals(Optional.empty(), store.acquire(0, "B", t0.plusSeconds(5), TTL), "held lease is exclusive");
        OutboxLease again = store.acquire(0, "A", t0.plusSeconds(1), TTL).orElseThrow();
        assertEquals(a.fence(), again.fence(), "re-acquiring one's own lease keeps the fence");
        OutboxLease b = store.acquire(0, "B", t0.plusSeconds(12), TTL).orElseThrow(
                () -> new AssertionError("an expired lease can be taken over"));
        assertTrue(b.fence() > a.fence(), "takeover raises the fence: " + a.fence() + " -> " + b.fence());
        assertEquals(Optional.empty(), store.renew(again, t0.plusSeconds(13), TTL), "the old owner cannot renew");
        assertTrue(store.renew(b, t0.plusSeconds(13), TTL).isPresent());
    }

    @Test
    public final void staleFence_cannotSettleRows() {
        String key = "fenced";
        int shard = OutboxStore.shardOf(key, store.shardCount());
        appendCommitted(sequence(key, 0, 3));
        OutboxLease a = store.acquire(shard, "A", t0, TTL).orElseThrow();
        List<OutboxRecord> rowsA = store.fetch(a, t0, 100);
        assertEquals(3, rowsA.size());
        OutboxLease b = store.acquire(shard, "B", t0.plus(TTL).plusSeconds(1), TTL).orElseThrow();
        OutboxCompletion late = new OutboxCompletion();
        rowsA.forEach(late::published);
        assertFalse(store.complete(a, late, t0.plus(TTL).plusSeconds(2)), "stale fence is rejected");
        List<OutboxRecord> rowsB = store.fetch(b, t0.plus(TTL).plusSeconds(2), 100);
        assertEquals(List.of("fenced:0", "fenced:1", "fenced:2"), rowsB.stream().map(OutboxStoreContract::text).toList(),
                "nothing was settled by the stale relay");
        OutboxCompletion done = new OutboxCompletion();
        rowsB.forEach(done::published);
        assertTrue(store.complete(b, done, t0.plus(TTL).plusSeconds(3)));
        assertEquals(0, store.backlog().pending());
    }

    @Test
    public final void retry_blocksOnlyItsOwnKey_untilDue() {
        appendCommitted(sequence("slow", 0, 3));
        appendCommitted(sequence("fast", 0, 3));
        List<OutboxLease> leases = leaseAll("r1", t0);
        Map<OutboxLease, List<OutboxRecord>> fetched = fetchAll(leases, t0);
        for (Map.Entry<OutboxLease, List<OutboxRecord>> e : fetched.entrySet()) {
            OutboxCompletion c = new OutboxCompletion();
            for (OutboxRecord r : e.getValue()) {
                if (text(r).equals("slow:0")) {
                    c.retry(r.failed(1, "boom"), t0.plusSeconds(30));
                } else if (!r.aggregateId().equals("slow")) {
                    c.published(r);
                }
            }
            assertTrue(store.complete(e.getKey(), c, t0));
        }
        assertEquals(List.of(), texts(fetchAll(leases, t0.plusSeconds(1))), "slow is blocked, fast is done");
        assertEquals(3, store.backlog().pending());
        List<OutboxRecord> due = fetchAll(leases, t0.plusSeconds(31)).values().stream().flatMap(List::stream).toList();
        assertEquals(List.of("slow:0", "slow:1", "slow:2"), due.stream().map(OutboxStoreContract::text).toList());
        assertEquals(1, due.get(0).attempts());
        assertEquals("boom", due.get(0).lastError());
    }

    @Test
    public final void deadRow_leavesTheKeyFlowing_andCanBeReplayedOrPurged() {
        appendCommitted(sequence("p", 0, 3));
        List<OutboxLease> leases = leaseAll("r1", t0);
        for (Map.Entry<OutboxLease, List<OutboxRecord>> e : fetchAll(leases, t0).entrySet()) {
            OutboxCompletion c = new OutboxCompletion();
            e.getValue().stream().filter(r -> text(r).equals("p:0")).forEach(r -> c.dead(r.failed(5, "poison"), t0));
            assertTrue(store.complete(e.getKey(), c, t0));
        }
        assertEquals(List.of("p:1", "p:2"), texts(fetchAll(leases, t0)), "rows behind a dead row flow");
        List<OutboxRecord> dead = store.deadRecords(10);
        assertEquals(1, dead.size());
        assertEquals("p:0", text(dead.get(0)));
        assertEquals(5, dead.get(0).attempts());
        assertEquals("poison", dead.get(0).lastError());
        assertEquals(new OutboxBacklog(2, store.backlog().oldestCreatedAt(), 1), store.backlog());

        assertEquals(1, store.replayDead(List.of(dead.get(0).id()), t0.plusSeconds(1)));
        assertEquals(List.of("p:1", "p:2", "p:0"), texts(fetchAll(leases, t0.plusSeconds(1))),
                "a replayed row comes back as the newest of its key, with no attempts");
        assertEquals(0, store.deadRecords(10).size());

        for (Map.Entry<OutboxLease, List<OutboxRecord>> e : fetchAll(leases, t0).entrySet()) {
            OutboxCompletion c = new OutboxCompletion();
            e.getValue().forEach(r -> c.dead(r, t0.plusSeconds(2)));
            assertTrue(store.complete(e.getKey(), c, t0.plusSeconds(2)));
        }
        assertEquals(3, store.deadRecords(10).size());
        assertEquals(0, store.purgeDead(t0.plusSeconds(2), 10), "cutoff is exclusive");
        assertEquals(2, store.purgeDead(t0.plusSeconds(3), 2), "purge is bounded by its limit");
        assertEquals(1, store.purgeDead(t0.plusSeconds(3), 2));
        assertEquals(new OutboxBacklog(0, null, 0), store.backlog());
    }

    @Test
    public final void heartbeat_countsLiveRelays_andLeaveReleasesLeases() {
        assertEquals(1, store.heartbeat("A", t0, TTL));
        assertEquals(2, store.heartbeat("B", t0.plusSeconds(1), TTL));
        assertEquals(1, store.heartbeat("B", t0.plusSeconds(12), TTL), "A's registration expired");
        store.acquire(1, "A", t0, TTL).orElseThrow();
        store.leave("A");
        assertTrue(store.acquire(1, "B", t0.plusSeconds(1), TTL).isPresent(), "leave releases leases at once");
    }

    @Test
    public final void unkeyedRows_areEachPublishedOnce_evenWithConcurrentClaims() throws Exception {
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            events.add(OutboxEvent.builder("Audit", null).rawPayload("Audited",
                    ("u:" + i).getBytes(StandardCharsets.UTF_8)).build());
        }
        appendCommitted(events);
        List<String> all = new ArrayList<>();
        if (store.supportsUnkeyedClaims()) {
            // A second claim while the first holds its rows must get other rows.
            store.relayUnkeyed(t0, 20, rows -> {
                rows.forEach(r -> all.add(text(r)));
                try {
                    CompletableFuture.runAsync(() -> store.relayUnkeyed(t0, 100, more -> {
                        more.forEach(r -> all.add(text(r)));
                        OutboxCompletion c = new OutboxCompletion();
                        more.forEach(c::published);
                        return c;
                    })).get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("concurrent claim failed", e);
                }
                OutboxCompletion c = new OutboxCompletion();
                rows.forEach(c::published);
                return c;
            });
        } else {
            List<OutboxLease> leases = leaseAll("r1", t0);
            for (Map.Entry<OutboxLease, List<OutboxRecord>> e : fetchAll(leases, t0).entrySet()) {
                e.getValue().forEach(r -> all.add(text(r)));
                OutboxCompletion c = new OutboxCompletion();
                e.getValue().forEach(c::published);
                assertTrue(store.complete(e.getKey(), c, t0));
            }
        }
        assertEquals(50, all.size(), "each unkeyed row claimed exactly once");
        assertEquals(50, new HashSet<>(all).size());
        assertEquals(0, store.backlog().pending());
    }

    @Test
    public final void twoRelays_publishEverything_inPerKeyOrder() {
        int keys = 20;
        int perKey = 25;
        for (int i = 0; i < perKey; i++) {
            List<OutboxEvent> tx = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                tx.addAll(sequence("key-" + k, i, 1));
            }
            appendCommitted(tx);
        }
        InMemoryBroker broker = new InMemoryBroker();
        broker.createTopic("order-events", 4);
        OutboxPublisher a = OutboxPublisher.builder().store(store).publisher(broker.publisher()).relayId("A")
                .batchSize(37).build();
        OutboxPublisher b = OutboxPublisher.builder().store(store).publisher(broker.publisher()).relayId("B")
                .batchSize(37).build();
        int published = 0;
        for (int round = 0; round < 50 && store.backlog().pending() > 0; round++) {
            published += a.publishPending();
            published += b.publishPending();
        }
        assertEquals(keys * perKey, published);
        assertEquals(0, store.backlog().pending());
        List<InboundMessage> messages = broker.messages("order-events");
        assertEquals(keys * perKey, messages.size(), "nothing lost, nothing doubled");
        Map<String, List<Integer>> byKey = messages.stream().collect(Collectors.groupingBy(
                InboundMessage::keyAsString, Collectors.mapping(m -> Integer.parseInt(new String(m.value(),
                        StandardCharsets.UTF_8).split(":")[1]), Collectors.toList())));
        for (List<Integer> seq : byKey.values()) {
            List<Integer> sorted = new ArrayList<>(seq);
            sorted.sort(Integer::compare);
            assertEquals(sorted, seq, "per-key order");
        }
        InboundMessage first = messages.get(0);
        assertEquals("Step", first.header(EventHeaders.EVENT_TYPE));
        assertEquals("Order", first.header(EventHeaders.AGGREGATE_TYPE));
        assertEquals(first.keyAsString(), first.header(EventHeaders.AGGREGATE_ID));
        assertNotNull(first.header(EventHeaders.EVENT_ID));
        assertNotNull(first.header(EventHeaders.PRODUCED_AT));
    }
}
