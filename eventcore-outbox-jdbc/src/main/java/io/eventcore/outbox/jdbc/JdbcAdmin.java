package io.eventcore.outbox.jdbc;

import io.eventcore.outbox.OutboxAdmin;
import io.eventcore.outbox.OutboxBacklog;
import io.eventcore.outbox.OutboxRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@link OutboxAdmin} over the outbox and dead tables: dead rows listed, replayed and purged, kept published
 * rows purged, the backlog read ({@link JdbcBacklog}: bounded, an estimate above a bound). Deletes go in bounded batches. Thread-safe.
 */
final class JdbcAdmin implements OutboxAdmin {
    private final JdbcRunner db;
    private final Sql sql;
    private final IdStatements ids;
    private final Shards shards;
    private final boolean keepPublished;
    private final JdbcBacklog backlog;

    JdbcAdmin(JdbcRunner db, Sql sql, IdStatements ids, Shards shards, boolean keepPublished) {
        this.db = db;
        this.sql = sql;
        this.ids = ids;
        this.shards = shards;
        this.keepPublished = keepPublished;
        this.backlog = new JdbcBacklog(db, sql, shards.count());
    }

    @Override
    public List<OutboxRecord> deadRecords(int limit) {
        return db.run("read dead rows", false, c -> {
            try (PreparedStatement s = c.prepareStatement(sql.deadRows)) {
                s.setInt(1, limit);
                return RowMapping.rows(s);
            }
        });
    }

    @Override
    public int replayDead(Collection<Long> deadIds, Instant now) {
        if (deadIds.isEmpty()) {
            return 0;
        }
        List<Long> list = List.copyOf(deadIds);
        return db.run("replay dead rows", true, c -> {
            int moved = 0;
            for (int from = 0; from < list.size(); from += IdStatements.IN_LIST_CHUNK) {
                moved += replayChunk(c, list.subList(from, Math.min(list.size(), from + IdStatements.IN_LIST_CHUNK)));
            }
            return moved;
        });
    }

    /**
     * Moves the dead rows of a chunk back as new rows (new ids: the newest of their keys). Each row is
     * claimed by deleting it first: only a replay whose delete removed the row re-inserts it, so
     * concurrent or repeated replays of the same ids move each row back once.
     */
    private int replayChunk(Connection c, List<Long> chunk) throws SQLException {
        List<OutboxRecord> dead;
        try (PreparedStatement s = c.prepareStatement(sql.deadByIds + Sql.markers(chunk.size()) + " ORDER BY id")) {
            for (int i = 0; i < chunk.size(); i++) {
                s.setLong(i + 1, chunk.get(i));
            }
            dead = RowMapping.rows(s);
        }
        List<OutboxRecord> claimed = new java.util.ArrayList<>(dead.size());
        for (OutboxRecord r : dead) {
            if (ids.run(c, sql.deleteDead, List.of(r.id()), null) == 1) {
                claimed.add(r);
            }
        }
        if (claimed.isEmpty()) {
            return 0;
        }
        try (PreparedStatement insert = c.prepareStatement(sql.replay)) {
            for (OutboxRecord r : claimed) {
                RowMapping.bindInsert(insert, shards.of(r.aggregateId(), r.eventId()), r.eventId(),
                        r.aggregateType(), r.aggregateId(), r.eventType(), r.topic(), r.headers(), r.payload(),
                        r.createdAt());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        return claimed.size();
    }

    @Override
    public int purgeDead(Instant cutoff, int limit) {
        return purge("purge dead rows", sql.oldDead, sql.deleteDead, cutoff, limit);
    }

    @Override
    public int purgePublished(Instant cutoff, int limit) {
        if (!keepPublished) {
            return 0;
        }
        return purge("purge published rows", sql.oldPublished, sql.deletePublished, cutoff, limit);
    }

    private int purge(String what, String select, String delete, Instant cutoff, int limit) {
        return db.run(what, true, c -> {
            List<Long> old = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(select)) {
                s.setLong(1, cutoff.toEpochMilli());
                s.setInt(2, limit);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        old.add(rs.getLong(1));
                    }
                }
            }
            return ids.run(c, delete, old, null);
        });
    }

    @Override
    public OutboxBacklog backlog() {
        return backlog.read();
    }
}
