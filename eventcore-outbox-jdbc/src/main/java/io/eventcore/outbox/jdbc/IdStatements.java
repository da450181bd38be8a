package io.eventcore.outbox.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Runs a statement over a list of row ids ({@code ... WHERE id IN (?, ...)}), in the way that suits the
 * dialect: chunked {@code IN} lists, or on MySQL/MariaDB one primary-key statement per id sent as a batch;
 * there, published rows are deleted by a derived id list joined to the primary key ({@link #deleteJoined}).
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
     * Deletes the ids' rows with {@code DELETE o FROM (SELECT ? AS id UNION ALL ...) k} followed by
     * {@code joinTail} (which joins the list to the table's primary key), one statement per chunk.
     *
     * @return rows deleted
     */
    static int deleteJoined(Connection c, String joinTail, List<Long> ids) throws SQLException {
        int deleted = 0;
        for (int from = 0; from < ids.size(); from += IN_LIST_CHUNK) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST_CHUNK));
            StringBuilder list = new StringBuilder(chunk.size() * 19 + joinTail.length() + 32)
                    .append("DELETE o FROM (SELECT ? AS id");
            for (int i = 1; i < chunk.size(); i++) {
                list.append(" UNION ALL SELECT ?");
            }
            try (PreparedStatement s = c.prepareStatement(list.append(joinTail).toString())) {
                int i = 1;
                for (Long id : chunk) {
                    s.setLong(i++, id);
                }
                deleted += s.executeUpdate();
            }
        }
        return deleted;
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
