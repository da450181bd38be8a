package io.eventcore.outbox.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Runs a statement over a list of row ids ({@code ... WHERE id IN (?, ...)}), in the way that suits the
 * dialect: chunked {@code IN} lists, or on MySQL/MariaDB one primary-key statement per id sent as a batch
 * (published rows are deleted there by {@code IN} lists forced onto the primary key, see
 * {@link Sql#deletePublishedByPk}).
 */
final class IdStatements {
    static final int IN_LIST_CHUNK = 500;

    private final Dialect dialect;

    IdStatements(Dialect dialect) {
        this.dialect = dialect;
    }

    /**
     * Runs {@code prefix (?, ...)} over the ids; a non-null {@code first} is bound before the ids.
     *
     * @return rows changed
     */
    int run(Connection c, String prefix, List<Long> ids, Long first) throws SQLException {
        if (dialect == Dialect.MYSQL) {
            return byId(c, prefix, ids, first);
        }
        return inLists(c, prefix, ids, first);
    }

    /**
     * Runs {@code prefix (?, ...)} once per chunk of at most {@value #IN_LIST_CHUNK} ids, whatever the dialect;
     * a non-null {@code first} is bound before the ids.
     *
     * @return rows changed
     */
    static int inLists(Connection c, String prefix, List<Long> ids, Long first) throws SQLException {
        int changed = 0;
        for (int from = 0; from < ids.size(); from += IN_LIST_CHUNK) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST_CHUNK));
            try (PreparedStatement s = c.prepareStatement(prefix + Sql.markers(chunk.size()))) {
                int i = 1;
                if (first != null) {
                    s.setLong(i++, first);
                }
                for (Long id : chunk) {
                    s.setLong(i++, id);
                }
                changed += s.executeUpdate();
            }
        }
        return changed;
    }

    /**
     * InnoDB may scan (and lock) the whole table for a long {@code IN} list on a small table, and a
     * {@code DELETE} then waits on rows another relay holds with {@code SKIP LOCKED}; one primary-key
     * lookup per id, sent as a batch, locks only the rows named.
     */
    private static int byId(Connection c, String prefix, List<Long> ids, Long first) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        try (PreparedStatement s = c.prepareStatement(prefix + "(?)")) {
            for (Long id : ids) {
                int i = 1;
                if (first != null) {
                    s.setLong(i++, first);
                }
                s.setLong(i, id);
                s.addBatch();
            }
            int changed = 0;
            for (int n : s.executeBatch()) {
                changed += n == Statement.SUCCESS_NO_INFO ? 1 : Math.max(0, n);
            }
            return changed;
        }
    }
}
