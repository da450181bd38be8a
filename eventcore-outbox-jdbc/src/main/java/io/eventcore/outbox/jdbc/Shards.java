package io.eventcore.outbox.jdbc;

import io.eventcore.outbox.OutboxRows;

/**
 * Which shard a new row goes to: its key's shard; for a row without a key, {@value #UNKEYED} where the
 * dialect claims unkeyed rows with {@code SKIP LOCKED}, else the shard of its event id (spread over the
 * shards). Immutable.
 */
final class Shards {
    /** The shard column of unkeyed rows claimed outside the shards. */
    static final int UNKEYED = -1;

    private final int count;
    private final boolean unkeyedOutside;

    Shards(int count, Dialect dialect) {
        this.count = count;
        this.unkeyedOutside = dialect.skipLocked();
    }

    int count() {
        return count;
    }

    int of(String key, String eventId) {
        if (key != null) {
            return OutboxRows.shardOf(key, count);
        }
        return unkeyedOutside ? UNKEYED : OutboxRows.shardOf(eventId, count);
    }
}
