package io.eventcore.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventcore.EventHeaders;
import io.eventcore.outbox.OutboxBacklog;
import io.eventcore.outbox.OutboxCompletion;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.outbox.OutboxRows;
import io.eventcore.outbox.UnkeyedClaims;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link OutboxRows} part of the outbox-store contract: transactional appends, id order per key and
 * shard, stored fields, settlement under the fence, per-key blocking on retries, and the optional
 * {@link UnkeyedClaims}. Extend {@link OutboxStoreContract}, which runs every part; the tests are
 * {@code final}.
 */
public abstract class OutboxRowsContract extends OutboxContractSupport {

    /** Committed rows are fetched per shard in id order, each key in its append order and in its own shard. */
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
        Map<OutboxLease, List<OutboxRecord>> fetched = fetchAll(leaseAll("r1", t0()), t0());
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
                assertEquals(e.getKey().shard(), OutboxRows.shardOf(r.aggregateId(), store().shardCount()),
                        "row " + r + " is in its key's shard");
            }
        }
        OutboxBacklog backlog = store().backlog();
        assertEquals(40, backlog.pending());
        assertNotNull(backlog.oldestCreatedAt());
        assertEquals(0, backlog.dead());
    }

    /** A rolled-back transaction leaves no row behind. */
    @Test
    public final void rolledBackAppend_leavesNothing() {
        appendRolledBack(sequence("k", 0, 5));
        appendCommitted(sequence("k", 5, 1));
        assertEquals(List.of("k:5"), texts(fetchAll(leaseAll("r1", t0()), t0())));
        assertEquals(1, store().backlog().pending());
    }

    /** A stored row keeps its payload bytes, headers, topic override, ids and occurrence time. */
    @Test
    public final void storedRow_keepsBytesHeadersTopicAndIds() {
        byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28, 0, 1, (byte) 0xFF};
        OutboxEvent event = OutboxEvent.builder("Payment", "p-1").rawPayload("PaymentTaken", notUtf8)
                .header(EventHeaders.TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .header("tenant", "a=b;c\nd%e").topic("payments-v2").eventId("evt-1")
                .occurredAt(t0().minusSeconds(60)).build();
        appendCommitted(List.of(event));
        OutboxLease lease = store().acquire(OutboxRows.shardOf("p-1", store().shardCount()), "r1", t0(), TTL)
                .orElseThrow();
        List<OutboxRecord> rows = store().fetch(lease, t0(), 10);
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
        assertEquals(t0().minusSeconds(60), r.createdAt());
        assertEquals(0, r.attempts());
        assertNull(r.lastError());
    }

    /** A settlement under a fence that another relay has since raised changes nothing. */
    @Test
    public final void staleFence_cannotSettleRows() {
        String key = "fenced";
        int shard = OutboxRows.shardOf(key, store().shardCount());
        appendCommitted(sequence(key, 0, 3));
        OutboxLease a = store().acquire(shard, "A", t0(), TTL).orElseThrow();
        List<OutboxRecord> rowsA = store().fetch(a, t0(), 100);
        assertEquals(3, rowsA.size());
        OutboxLease b = store().acquire(shard, "B", t0().plus(TTL).plusSeconds(1), TTL).orElseThrow();
        assertFalse(store().complete(a, OutboxCompletion.allPublished(rowsA), t0().plus(TTL).plusSeconds(2)),
                "stale fence is rejected");
        List<OutboxRecord> rowsB = store().fetch(b, t0().plus(TTL).plusSeconds(2), 100);
        assertEquals(List.of("fenced:0", "fenced:1", "fenced:2"), rowsB.stream().map(OutboxContractSupport::text)
                .toList(), "nothing was settled by the stale relay");
        assertTrue(store().complete(b, OutboxCompletion.allPublished(rowsB), t0().plus(TTL).plusSeconds(3)));
        assertEquals(0, store().backlog().pending());
    }

    /** A row waiting for its retry hides the later rows of its key, and only those, until it is due. */
    @Test
    public final void retry_blocksOnlyItsOwnKey_untilDue() {
        appendCommitted(sequence("slow", 0, 3));
        appendCommitted(sequence("fast", 0, 3));
        List<OutboxLease> leases = leaseAll("r1", t0());
        settleAll(leases, t0(), (r, c) -> {
            if (text(r).equals("slow:0")) {
                c.retry(r.failed(1, "boom"), t0().plusSeconds(30));
            } else if (!r.aggregateId().equals("slow")) {
                c.published(r);
            }
        });
        assertEquals(List.of(), texts(fetchAll(leases, t0().plusSeconds(1))), "slow is blocked, fast is done");
        assertEquals(3, store().backlog().pending());
        List<OutboxRecord> due = fetchAll(leases, t0().plusSeconds(31)).values().stream().flatMap(List::stream)
                .toList();
        assertEquals(List.of("slow:0", "slow:1", "slow:2"), due.stream().map(OutboxContractSupport::text).toList());
        assertEquals(1, due.get(0).attempts());
        assertEquals("boom", due.get(0).lastError());
    }

    /** The store offers unkeyed claims if and only if {@link Features#unkeyedClaims()} says so. */
    @Test
    public final void unkeyedClaims_areOfferedExactlyAsDeclared() {
        assertEquals(features().unkeyedClaims(), store().unkeyedClaims().isPresent(),
                "the store offers unkeyed claims if and only if its test declares them");
    }

    /**
     * Rows without a key are each relayed once: by concurrent claims where the store has them, else through the
     * shards.
     */
    @Test
    public final void unkeyedRows_areEachPublishedOnce_evenWithConcurrentClaims() {
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            events.add(OutboxEvent.builder("Audit", null).rawPayload("Audited",
                    ("u:" + i).getBytes(StandardCharsets.UTF_8)).build());
        }
        appendCommitted(events);
        List<String> all = new ArrayList<>();
        if (features().unkeyedClaims()) {
            claimConcurrently(store().unkeyedClaims().orElseThrow(), all);
        } else {
            // Without claims, unkeyed rows are spread over the shards and relayed like keyed ones.
            settleAll(leaseAll("r1", t0()), t0(), (r, c) -> {
                all.add(text(r));
                c.published(r);
            });
        }
        assertEquals(50, all.size(), "each unkeyed row claimed exactly once");
        assertEquals(50, new HashSet<>(all).size());
        assertEquals(0, store().backlog().pending());
    }

    /** A second claim while the first holds its rows must get the other rows. */
    private void claimConcurrently(UnkeyedClaims claims, List<String> all) {
        claims.relay(t0(), 20, rows -> {
            rows.forEach(r -> all.add(text(r)));
            try {
                CompletableFuture.runAsync(() -> claims.relay(t0(), 100, more -> {
                    more.forEach(r -> all.add(text(r)));
                    return OutboxCompletion.allPublished(more);
                })).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("concurrent claim failed", e);
            }
            return OutboxCompletion.allPublished(rows);
        });
    }
}
