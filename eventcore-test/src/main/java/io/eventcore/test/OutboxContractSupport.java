package io.eventcore.test;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventcore.outbox.OutboxCompletion;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.outbox.OutboxStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.BeforeEach;

/**
 * The fixture of the outbox-store contract suite: the hooks a store's test implements, the capability
 * flags it declares, and helpers shared by the suite's parts. Extend {@link OutboxStoreContract}, which
 * runs every part; this class holds no tests.
 *
 * <p>Each test gets a fresh, empty store from {@link #emptyStore()}; tests run one at a time.
 */
public abstract class OutboxContractSupport {
    /** Lease time to live used by the suite. */
    protected static final Duration TTL = Duration.ofSeconds(10);

    private OutboxStore store;
    private Instant t0;

    /**
     * The optional capabilities a store declares (as Watermill's pub/sub suite has {@code Features}). The
     * suite checks that the store offers exactly the declared ones, and runs each capability's tests only
     * where it is declared.
     *
     * @param unkeyedClaims the store offers {@link OutboxStore#unkeyedClaims()}
     * @param keepsPublishedRows the store marks published rows instead of deleting them, so
     *        {@link OutboxStore#purgePublished} deletes them by age
     * @param hintChannel the store offers {@link OutboxStore#hints()}
     */
    public record Features(boolean unkeyedClaims, boolean keepsPublishedRows, boolean hintChannel) {

        /** @return no optional capability */
        public static Features basic() {
            return new Features(false, false, false);
        }

        /** @return these features plus unkeyed claims */
        public Features withUnkeyedClaims() {
            return new Features(true, keepsPublishedRows, hintChannel);
        }

        /** @return these features plus kept published rows */
        public Features withKeptPublishedRows() {
            return new Features(unkeyedClaims, true, hintChannel);
        }

        /** @return these features plus a hint channel */
        public Features withHintChannel() {
            return new Features(unkeyedClaims, keepsPublishedRows, true);
        }
    }

    /**
     * @return the capabilities the store under test offers; a fixture may configure its store from them in
     *         {@link #emptyStore()}
     */
    protected abstract Features features();

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

    /** @return the store of the running test */
    protected final OutboxStore store() {
        return store;
    }

    /** @return the start time of the running test, in whole milliseconds */
    protected final Instant t0() {
        return t0;
    }

    /**
     * @param key the aggregate id of every event
     * @param from the first sequence number
     * @param count how many events
     * @return events of type {@code Step} with payloads {@code key:from} to {@code key:from+count-1}
     */
    protected static List<OutboxEvent> sequence(String key, int from, int count) {
        List<OutboxEvent> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(OutboxEvent.builder("Order", key).rawPayload("Step",
                    (key + ":" + i).getBytes(StandardCharsets.UTF_8)).build());
        }
        return out;
    }

    /**
     * @param r a row
     * @return the payload of a row as UTF-8 text
     */
    protected static String text(OutboxRecord r) {
        return new String(r.payload(), StandardCharsets.UTF_8);
    }

    /**
     * @param fetched rows per lease, as {@link #fetchAll} returns them
     * @return the payloads of every fetched row
     */
    protected static List<String> texts(Map<OutboxLease, List<OutboxRecord>> fetched) {
        return fetched.values().stream().flatMap(List::stream).map(OutboxContractSupport::text).toList();
    }

    /**
     * @param relay the relay id taking the leases
     * @param now the time of the acquisition
     * @return the leases of every shard, taken by {@code relay}; fails if one is held elsewhere
     */
    protected final List<OutboxLease> leaseAll(String relay, Instant now) {
        List<OutboxLease> out = new ArrayList<>();
        for (int s = 0; s < store.shardCount(); s++) {
            out.add(store.acquire(s, relay, now, TTL).orElseThrow(() -> new AssertionError("shard not free")));
        }
        return out;
    }

    /**
     * @param leases the leases to read under
     * @param now the time rows must be due by
     * @return the due rows of each lease's shard, in shard order
     */
    protected final Map<OutboxLease, List<OutboxRecord>> fetchAll(List<OutboxLease> leases, Instant now) {
        Map<OutboxLease, List<OutboxRecord>> out = new LinkedHashMap<>();
        for (OutboxLease l : leases) {
            out.put(l, store.fetch(l, now, 10_000));
        }
        return out;
    }

    /**
     * Fetches every lease's due rows, lets {@code decide} record what became of them, and settles each
     * shard, asserting that the fence was accepted.
     * @param leases the leases to settle under
     * @param now the settlement time
     * @param decide records the fate of each row on the completion builder
     */
    protected final void settleAll(List<OutboxLease> leases, Instant now,
            BiConsumer<OutboxRecord, OutboxCompletion.Builder> decide) {
        for (Map.Entry<OutboxLease, List<OutboxRecord>> e : fetchAll(leases, now).entrySet()) {
            OutboxCompletion.Builder c = OutboxCompletion.builder();
            e.getValue().forEach(r -> decide.accept(r, c));
            assertTrue(store.complete(e.getKey(), c.build(), now), "settled under a current fence");
        }
    }
}
