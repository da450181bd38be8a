package io.eventcore.outbox.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Borrows a connection from the data source for one operation and gives it back (closes it) right after:
 * nothing is kept checked out between operations, so a pool's leak detection and connection rotation work,
 * and after a database restart the next borrow simply gets a fresh connection. A connection whose auto-commit
 * cannot be set is closed before the failure is thrown, never leaked.
 */
final class ConnectionPool implements AutoCloseable {
    private final DataSource dataSource;

    ConnectionPool(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** @return a connection in auto-commit mode, to be given back with {@link #giveBack} */
    Connection borrow() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /**
     * Gives a connection back to the data source (closes it). A connection that saw an error is closed too:
     * the pool validates or discards it (aborting a pooled proxy would leak it from the pool's view).
     *
     * @param broken whether it saw an error (kept for the runner's bookkeeping)
     */
    void giveBack(Connection c, boolean broken) {
        closeQuietly(c);
    }

    /** Nothing is held between operations: a no-op, kept for symmetry with the runner's lifecycle. */
    @Override
    public void close() {
        // nothing to release
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already broken or closed
        }
    }
}
