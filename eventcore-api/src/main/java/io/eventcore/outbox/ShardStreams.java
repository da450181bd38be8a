package io.eventcore.outbox;

import io.eventcore.transport.TransactionalStream;
import io.eventcore.transport.Transactions;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional streams of the shards a relay holds: one per shard, id {@code <outbox name>-<shard>},
 * opened when the relay first publishes for the shard (which fences any earlier holder at the broker), with the
 * ids the broker has and the store may not yet have settled. A stream whose commit is fenced or fails is closed,
 * and the next pass opens it again, reading the position afresh.
 *
 * <p>Opening a stream reads the position the previous holder committed: its rows are settled as published
 * when the relay reads them, never sent again. Used by the relay's thread and by its settle thread (which closes
 * a stream whose commit failed): its methods are synchronized; a shard's {@link ShardStream} is used by one thread
 * at a time, as a shard is never read while its round settles.
 */
final class ShardStreams implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardStreams.class);

    private final Transactions transactions;
    private final String name;
    private final Map<Integer, ShardStream> open = new HashMap<>();
    /** How long the stream of a shard no longer held stays open: 1 minute. */
    static final java.time.Duration IDLE_CLOSE = java.time.Duration.ofMinutes(1);

    /** One shard's open stream: the fence it was opened under and the rows published but not known settled. */
    static final class ShardStream {
        final TransactionalStream stream;
        final int shard;
        /** The fence of the lease it serves now (a stream outlives a re-acquisition of its shard). */
        long fence;
        /** Rows the broker has from committed transactions, not known settled: id to {@link RelayPosition#tag}. */
        final TreeMap<Long, String> unsettled;
        long lastUsedNanos = System.nanoTime();

        ShardStream(TransactionalStream stream, int shard, long fence, TreeMap<Long, String> unsettled) {
            this.stream = stream;
            this.shard = shard;
            this.fence = fence;
            this.unsettled = unsettled;
        }

        /** A commit went through: its rows are at the broker, and stay listed until the store settles them. */
        void committed(Collection<OutboxRecord> rows) {
            rows.forEach(r -> unsettled.put(r.id(), RelayPosition.tag(r.eventId())));
        }

        /**
         * @return whether the broker has this row from a committed transaction; a listed id whose tag differs is
         *         another row (ids reused): then the whole list is dropped as foreign, and the row is sent
         */
        boolean published(OutboxRecord row) {
            String tag = unsettled.get(row.id());
            if (tag == null) {
                return false;
            }
            if (tag.equals(RelayPosition.tag(row.eventId()))) {
                return true;
            }
            log.warn("shard {}: row #{} is listed in the shard's position with another event id: the position is "
                    + "of rows since replaced (a truncated or re-created table?); it is not trusted", shard, row.id());
            unsettled.clear();
            return false;
        }
    }

    ShardStreams(Transactions transactions, String name) {
        this.transactions = transactions;
        this.name = name;
    }

    /** @return the longest position the transport stores */
    int maxPositionLength() {
        return transactions.maxPositionLength();
    }

    /**
     * The stream of a lease's shard, opened now if it is not open under this fence.
     *
     * @throws io.eventcore.EventcoreException if the broker cannot be reached
     */
    synchronized ShardStream forLease(OutboxLease lease) {
        ShardStream current = open.get(lease.shard());
        if (current != null) {
            // Kept across a re-acquisition of the shard: had another relay opened the stream meanwhile, the broker
            // fences this one at its next commit, the group is dropped, and the stream is opened afresh.
            current.fence = lease.fence();
            current.lastUsedNanos = System.nanoTime();
            return current;
        }
        String id = name + "-" + lease.shard();
        TransactionalStream stream = transactions.open(id);
        Optional<RelayPosition> position;
        try {
            position = RelayPosition.decode(stream.position());
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
        TreeMap<Long, String> unsettled = position.map(RelayPosition::rows).orElseGet(TreeMap::new);
        if (!unsettled.isEmpty()) {
            log.info("shard {}: {} rows were published by the previous holder (fence {}); settling them without "
                    + "sending them again", lease.shard(), unsettled.size(), position.get().fence());
        }
        ShardStream s = new ShardStream(stream, lease.shard(), lease.fence(), unsettled);
        open.put(lease.shard(), s);
        return s;
    }

    /**
     * Forgets listed ids the store no longer has: those below the last of {@code rows} (a prefix, in id order, of
     * the shard's due rows) that are not among them were settled since (a committed row is never held back by the
     * store: its key's earlier rows were committed or dead before it was sent). Without this, a position read on
     * opening would carry the previous holder's settled rows into every later commit.
     */
    static void prune(ShardStream s, List<OutboxRecord> rows) {
        if (s.unsettled.isEmpty() || rows.isEmpty()) {
            return;
        }
        java.util.Set<Long> read = new java.util.HashSet<>();
        rows.forEach(r -> read.add(r.id()));
        s.unsettled.headMap(rows.get(rows.size() - 1).id()).keySet().removeIf(id -> !read.contains(id));
    }

    /** The store settled these rows of the lease's shard: they need not be listed any more. */
    synchronized void settled(OutboxLease lease, Collection<OutboxRecord> rows) {
        ShardStream s = open.get(lease.shard());
        if (s != null && !s.unsettled.isEmpty()) {
            rows.forEach(r -> s.unsettled.remove(r.id()));
        }
    }

    /**
     * Closes the streams of shards not held for {@link #IDLE_CLOSE} (a relay run by {@code publishPending} gives
     * its leases back after each drain and takes them again at the next: its streams stay open meanwhile).
     */
    synchronized void retain(Collection<OutboxLease> held) {
        Map<Integer, Long> fences = new HashMap<>();
        held.forEach(l -> fences.put(l.shard(), l.fence()));
        long now = System.nanoTime();
        for (Iterator<Map.Entry<Integer, ShardStream>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, ShardStream> e = it.next();
            if (!fences.containsKey(e.getKey()) && now - e.getValue().lastUsedNanos > IDLE_CLOSE.toNanos()) {
                e.getValue().stream.close();
                it.remove();
            }
        }
    }

    /** Closes the stream of one shard, if open (the relay lost the shard or was fenced). */
    synchronized void close(int shard) {
        ShardStream s = open.remove(shard);
        if (s != null) {
            s.stream.close();
        }
    }

    @Override
    public synchronized void close() {
        open.values().forEach(s -> s.stream.close());
        open.clear();
    }
}
