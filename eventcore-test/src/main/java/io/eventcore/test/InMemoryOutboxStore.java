package io.eventcore.test;

import io.eventcore.Clock;
import io.eventcore.codec.EventCodec;
import io.eventcore.EventcoreException;
import io.eventcore.outbox.Outbox;
import io.eventcore.outbox.OutboxBacklog;
import io.eventcore.outbox.OutboxCompletion;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.outbox.OutboxRows;
import io.eventcore.outbox.OutboxStore;
import io.eventcore.outbox.UnkeyedClaims;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An outbox and outbox store in memory, for unit tests of services and relays. It behaves like the
 * JDBC store (shards, leases with fences, per-key blocking, dead table, {@link #unkeyedClaims() unkeyed
 * claims}) and passes the same {@link OutboxStoreContract}. It deletes published rows (so
 * {@link #purgePublished} returns 0) and has no {@link #hints() hint channel}: relays in one process are woken
 * through {@link #onAppend}.
 *
 * <pre>{@code
 * InMemoryOutboxStore outbox = InMemoryOutboxStore.create();
 * outbox.inTransaction(tx -> outbox.append(tx, OutboxEvent.of("Order", "o-1", new OrderCreated("o-1"))));
 * OutboxPublisher relay = OutboxPublisher.builder().store(outbox).publisher(broker.publisher()).build();
 * relay.publishPending();
 * }</pre>
 *
 * <p>Thread-safe. A {@link Transaction} is used by one thread.
 */
public final class InMemoryOutboxStore implements OutboxStore, Outbox<InMemoryOutboxStore.Transaction> {
    /** Default shard count: {@value}. */
    public static final int DEFAULT_SHARDS = 16;

    private final int shards;
    private final EventCodec codec;
    private final Clock clock;
    private final TreeMap<Long, Row> rows = new TreeMap<>();
    private final TreeMap<Long, Dead> dead = new TreeMap<>();
    private final Map<Integer, OutboxLease> leases = new HashMap<>();
    private final Map<Integer, Long> fences = new HashMap<>();
    private final Map<String, Instant> relays = new HashMap<>();
    private final Set<Long> claimed = new HashSet<>();
    private final List<Runnable> appendListeners = new CopyOnWriteArrayList<>();
    private long nextId = 1;
    private volatile boolean unavailable;

    private InMemoryOutboxStore(int shards, EventCodec codec, Clock clock) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be >= 1, but was " + shards);
        }
        this.shards = shards;
        this.codec = codec;
        this.clock = clock;
    }

    /** @return a store with {@value #DEFAULT_SHARDS} shards, the JSON codec and the system clock */
    public static InMemoryOutboxStore create() {
        return new InMemoryOutboxStore(DEFAULT_SHARDS, EventCodec.json(), Clock.system());
    }

    /**
     * @param shards shard count, at least 1
     * @param codec codec for object payloads
     * @param clock creation-time source
     * @return a store
     */
    public static InMemoryOutboxStore create(int shards, EventCodec codec, Clock clock) {
        return new InMemoryOutboxStore(shards, codec, clock);
    }

    private record Row(OutboxRecord record, int shard, Instant notBefore) {
    }

    private record Dead(OutboxRecord record, Instant failedAt) {
    }

    /** A transaction: appends become visible on {@link #commit()}, and vanish on {@link #rollback()}. */
    public final class Transaction {
        private final List<OutboxEvent> pending = new ArrayList<>();
        private boolean done;

        private Transaction() {
        }

        /** Makes the appended events visible to relays, in append order. */
        public void commit() {
            finish();
            Instant now = clock.now();
            synchronized (InMemoryOutboxStore.this) {
                checkAvailable();
                for (OutboxEvent e : pending) {
                    long id = nextId++;
                    OutboxEvent.Encoded encoded = e.encode(codec);
                    OutboxRecord r = new OutboxRecord(id, e.eventId(), e.aggregateType(), e.aggregateId(),
                            e.eventType(), e.topic(), encoded.headers(), encoded.payload(),
                            e.occurredAt() != null ? e.occurredAt() : now, 0, null);
                    rows.put(id, new Row(r, e.aggregateId() == null ? -1 : OutboxRows.shardOf(e.aggregateId(), shards),
                            Instant.MIN));
                }
            }
            if (!pending.isEmpty()) {
                appendListeners.forEach(Runnable::run);
            }
        }

        /** Discards the appended events. */
        public void rollback() {
            finish();
            pending.clear();
        }

        private void finish() {
            if (done) {
                throw new IllegalStateException("transaction already ended");
            }
            done = true;
        }
    }

    /** @return a new transaction */
    public Transaction transaction() {
        return new Transaction();
    }

    /**
     * Runs {@code work} in a transaction: commits if it returns, rolls back and rethrows if it throws.
     *
     * @param work the work
     */
    public void inTransaction(Consumer<Transaction> work) {
        Transaction tx = transaction();
        try {
            work.accept(tx);
        } catch (RuntimeException | Error e) {
            tx.rollback();
            throw e;
        }
        tx.commit();
    }

    @Override
    public void append(Transaction transaction, List<OutboxEvent> events) {
        if (transaction.done) {
            throw new IllegalStateException("transaction already ended");
        }
        transaction.pending.addAll(events);
    }

    /**
     * Simulates an unreachable database: every store call throws until set back.
     *
     * @param down whether the store is unreachable
     */
    public void setUnavailable(boolean down) {
        unavailable = down;
    }

    /** @return pending rows in id order (for assertions) */
    public synchronized List<OutboxRecord> pending() {
        return rows.values().stream().map(Row::record).toList();
    }

    private void checkAvailable() {
        if (unavailable) {
            throw new EventcoreException("in-memory outbox store unavailable (simulated)");
        }
    }

    @Override
    public int shardCount() {
        return shards;
    }

    @Override
    public synchronized int heartbeat(String relayId, Instant now, Duration ttl) {
        checkAvailable();
        relays.put(relayId, now.plus(ttl));
        relays.values().removeIf(until -> until.isBefore(now));
        return relays.size();
    }

    @Override
    public synchronized void leave(String relayId) {
        checkAvailable();
        relays.remove(relayId);
        leases.values().removeIf(l -> l.owner().equals(relayId));
    }

    @Override
    public synchronized Optional<OutboxLease> acquire(int shard, String relayId, Instant now, Duration ttl) {
        checkAvailable();
        OutboxLease current = leases.get(shard);
        if (current != null && !current.owner().equals(relayId) && !current.until().isBefore(now)) {
            return Optional.empty();
        }
        long fence = current != null && current.owner().equals(relayId) ? current.fence()
                : fences.merge(shard, 1L, Long::sum);
        OutboxLease lease = new OutboxLease(shard, relayId, fence, now.plus(ttl));
        leases.put(shard, lease);
        return Optional.of(lease);
    }

    @Override
    public synchronized Optional<OutboxLease> renew(OutboxLease lease, Instant now, Duration ttl) {
        checkAvailable();
        if (!holds(lease)) {
            return Optional.empty();
        }
        OutboxLease renewed = new OutboxLease(lease.shard(), lease.owner(), lease.fence(), now.plus(ttl));
        leases.put(lease.shard(), renewed);
        return Optional.of(renewed);
    }

    @Override
    public synchronized void release(OutboxLease lease) {
        checkAvailable();
        if (holds(lease)) {
            leases.remove(lease.shard());
        }
    }

    private boolean holds(OutboxLease lease) {
        OutboxLease current = leases.get(lease.shard());
        return current != null && current.owner().equals(lease.owner()) && current.fence() == lease.fence();
    }

    @Override
    public synchronized List<OutboxRecord> fetch(OutboxLease lease, Instant now, int limit) {
        checkAvailable();
        List<OutboxRecord> out = new ArrayList<>();
        Set<String> blocked = new HashSet<>();
        for (Row row : rows.values()) {
            if (out.size() >= limit) {
                break;
            }
            if (row.shard != lease.shard()) {
                continue;
            }
            String key = row.record.aggregateId();
            if (blocked.contains(key)) {
                continue;
            }
            if (row.notBefore.isAfter(now)) {
                blocked.add(key);
                continue;
            }
            out.add(row.record);
        }
        return out;
    }

    @Override
    public synchronized boolean complete(OutboxLease lease, OutboxCompletion completion, Instant now) {
        checkAvailable();
        if (!holds(lease)) {
            return false;
        }
        settle(completion);
        return true;
    }

    private void settle(OutboxCompletion completion) {
        for (OutboxRecord r : completion.published()) {
            rows.remove(r.id());
        }
        for (OutboxCompletion.Retry r : completion.retries()) {
            Row old = rows.get(r.record().id());
            if (old != null) {
                rows.put(r.record().id(), new Row(r.record(), old.shard, r.notBefore()));
            }
        }
        for (OutboxCompletion.Dead d : completion.dead()) {
            if (rows.remove(d.record().id()) != null) {
                dead.put(d.record().id(), new Dead(d.record(), d.failedAt()));
            }
        }
    }

    /** @return claims of rows without a key, which this store keeps outside the shards */
    @Override
    public Optional<UnkeyedClaims> unkeyedClaims() {
        return Optional.of(this::relayUnkeyed);
    }

    private int relayUnkeyed(Instant now, int limit, Function<List<OutboxRecord>, OutboxCompletion> publish) {
        List<OutboxRecord> batch = new ArrayList<>();
        synchronized (this) {
            checkAvailable();
            for (Row row : rows.values()) {
                if (batch.size() >= limit) {
                    break;
                }
                if (row.shard == -1 && !row.notBefore.isAfter(now) && !claimed.contains(row.record.id())) {
                    batch.add(row.record);
                }
            }
            batch.forEach(r -> claimed.add(r.id()));
        }
        if (batch.isEmpty()) {
            return 0;
        }
        try {
            OutboxCompletion completion = publish.apply(batch);
            synchronized (this) {
                checkAvailable();
                settle(completion);
            }
        } finally {
            synchronized (this) {
                batch.forEach(r -> claimed.remove(r.id()));
            }
        }
        return batch.size();
    }

    @Override
    public synchronized List<OutboxRecord> deadRecords(int limit) {
        checkAvailable();
        return dead.values().stream().sorted((a, b) -> a.failedAt.compareTo(b.failedAt)).limit(limit)
                .map(Dead::record).toList();
    }

    @Override
    public synchronized int replayDead(Collection<Long> ids, Instant now) {
        checkAvailable();
        int moved = 0;
        for (Long id : ids) {
            Dead d = dead.remove(id);
            if (d != null) {
                OutboxRecord r = d.record;
                long newId = nextId++;
                rows.put(newId, new Row(new OutboxRecord(newId, r.eventId(), r.aggregateType(), r.aggregateId(),
                        r.eventType(), r.topic(), r.headers(), r.payload(), r.createdAt(), 0, null),
                        r.aggregateId() == null ? -1 : OutboxRows.shardOf(r.aggregateId(), shards), Instant.MIN));
                moved++;
            }
        }
        return moved;
    }

    @Override
    public synchronized int purgeDead(Instant cutoff, int limit) {
        checkAvailable();
        List<Long> old = dead.values().stream().filter(d -> d.failedAt.isBefore(cutoff)).limit(limit)
                .map(d -> d.record.id()).toList();
        old.forEach(dead::remove);
        return old.size();
    }

    @Override
    public int purgePublished(Instant cutoff, int limit) {
        return 0;
    }

    @Override
    public synchronized OutboxBacklog backlog() {
        checkAvailable();
        Instant oldest = rows.values().stream().map(r -> r.record.createdAt()).min(Instant::compareTo).orElse(null);
        return new OutboxBacklog(rows.size(), oldest, dead.size());
    }

    @Override
    public void onAppend(Runnable listener) {
        appendListeners.add(listener);
    }

    @Override
    public void removeAppendListener(Runnable listener) {
        appendListeners.remove(listener);
    }

    /** @return how many append listeners are registered (for tests that relays unregister when closed) */
    public int appendListenerCount() {
        return appendListeners.size();
    }
}
