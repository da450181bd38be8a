package io.eventcore.outbox.jdbc;

import io.eventcore.outbox.OutboxCompletion;
import io.eventcore.outbox.OutboxRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies an {@link OutboxCompletion} on the caller's connection and transaction: published rows deleted
 * (or marked, when published rows are kept), retried rows updated, dead rows moved to the dead table.
 * Stateless; thread-safe.
 */
final class JdbcSettlement {
    private final Sql sql;
    private final IdStatements ids;
    private final boolean keepPublished;

    JdbcSettlement(Sql sql, IdStatements ids, boolean keepPublished) {
        this.sql = sql;
        this.ids = ids;
        this.keepPublished = keepPublished;
    }

    void settle(Connection c, OutboxCompletion completion, Instant now) throws SQLException {
        settle(c, List.of(completion), now);
    }

    /** Applies several completions as one: one statement (or chunked list) per kind of outcome. */
    void settle(Connection c, List<OutboxCompletion> completions, Instant now) throws SQLException {
        List<Long> published = new ArrayList<>();
        List<OutboxCompletion.Retry> retries = new ArrayList<>();
        List<OutboxCompletion.Dead> dead = new ArrayList<>();
        for (OutboxCompletion completion : completions) {
            completion.published().forEach(r -> published.add(r.id()));
            retries.addAll(completion.retries());
            dead.addAll(completion.dead());
        }
        if (!keepPublished && sql.deletePublishedByPk != null) {
            IdStatements.inLists(c, sql.deletePublishedByPk, published, null);
        } else {
            ids.run(c, keepPublished ? sql.markPublished : sql.deletePublished, published,
                    keepPublished ? now.toEpochMilli() : null);
        }
        if (!retries.isEmpty()) {
            retry(c, retries);
        }
        if (!dead.isEmpty()) {
            bury(c, dead);
        }
    }

    private void retry(Connection c, List<OutboxCompletion.Retry> retries) throws SQLException {
        try (PreparedStatement retry = c.prepareStatement(sql.retry)) {
            for (OutboxCompletion.Retry r : retries) {
                retry.setInt(1, r.record().attempts());
                retry.setString(2, r.record().lastError());
                retry.setLong(3, r.notBefore().toEpochMilli());
                retry.setLong(4, r.record().id());
                retry.addBatch();
            }
            retry.executeBatch();
        }
    }

    private void bury(Connection c, List<OutboxCompletion.Dead> dead) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(sql.insertDead);
                PreparedStatement delete = c.prepareStatement(sql.deleteRow)) {
            for (OutboxCompletion.Dead d : dead) {
                OutboxRecord r = d.record();
                RowMapping.bindRecord(insert, r);
                insert.setLong(12, d.failedAt().toEpochMilli());
                insert.addBatch();
                delete.setLong(1, r.id());
                delete.addBatch();
            }
            insert.executeBatch();
            delete.executeBatch();
        }
    }
}
