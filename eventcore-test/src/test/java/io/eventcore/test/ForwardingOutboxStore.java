package io.eventcore.test;

import io.eventcore.outbox.HintChannel;
import io.eventcore.outbox.OutboxBacklog;
import io.eventcore.outbox.OutboxCompletion;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.outbox.OutboxStore;
import io.eventcore.outbox.UnkeyedClaims;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link InMemoryOutboxStore} seen through a store whose parts a test overrides: its own append
 * listeners (fired by {@link #fireAppend()}), an optional hint channel, and hooks on fetch and purges.
 */
class ForwardingOutboxStore implements OutboxStore {
    final InMemoryOutboxStore target;
    final List<Runnable> appendListeners = new CopyOnWriteArrayList<>();
    volatile HintChannel hints;

    ForwardingOutboxStore(InMemoryOutboxStore target) {
        this.target = target;
    }

    void fireAppend() {
        appendListeners.forEach(Runnable::run);
    }

    @Override
    public int shardCount() {
        return target.shardCount();
    }

    @Override
    public List<OutboxRecord> fetch(OutboxLease lease, Instant now, int limit) {
        return target.fetch(lease, now, limit);
    }

    @Override
    public boolean complete(OutboxLease lease, OutboxCompletion completion, Instant now) {
        return target.complete(lease, completion, now);
    }

    @Override
    public Optional<UnkeyedClaims> unkeyedClaims() {
        return target.unkeyedClaims();
    }

    @Override
    public int heartbeat(String relayId, Instant now, Duration ttl) {
        return target.heartbeat(relayId, now, ttl);
    }

    @Override
    public void leave(String relayId) {
        target.leave(relayId);
    }

    @Override
    public Optional<OutboxLease> acquire(int shard, String relayId, Instant now, Duration ttl) {
        return target.acquire(shard, relayId, now, ttl);
    }

    @Override
    public Optional<OutboxLease> renew(OutboxLease lease, Instant now, Duration ttl) {
        return target.renew(lease, now, ttl);
    }

    @Override
    public void release(OutboxLease lease) {
        target.release(lease);
    }

    @Override
    public List<OutboxRecord> deadRecords(int limit) {
        return target.deadRecords(limit);
    }

    @Override
    public int replayDead(Collection<Long> ids, Instant now) {
        return target.replayDead(ids, now);
    }

    @Override
    public int purgeDead(Instant cutoff, int limit) {
        return target.purgeDead(cutoff, limit);
    }

    @Override
    public int purgePublished(Instant cutoff, int limit) {
        return target.purgePublished(cutoff, limit);
    }

    @Override
    public OutboxBacklog backlog() {
        return target.backlog();
    }

    @Override
    public void onAppend(Runnable listener) {
        appendListeners.add(listener);
    }

    @Override
    public void removeAppendListener(Runnable listener) {
        appendListeners.remove(listener);
    }

    @Override
    public Optional<HintChannel> hints() {
        return Optional.ofNullable(hints);
    }
}
