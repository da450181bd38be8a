package io.eventcore.outbox.jdbc;

import io.eventcore.EventcoreException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs the relay side's statements on a connection borrowed from the data source ({@link ConnectionPool}), one
 * operation at a time, optionally in a transaction, turning {@link SQLException}s into
 * {@link EventcoreException}s. A connection that saw an error is not reused. Thread-safe.
 */
final class JdbcRunner implements AutoCloseable {
    private final ConnectionPool pool;

    /** Work on a connection. */
    @FunctionalInterface
    interface Work<R> {
        R run(Connection c) throws SQLException;
    }

    JdbcRunner(DataSource dataSource) {
        this.pool = new ConnectionPool(dataSource);
    }

    /**
     * Runs {@code work} on a pooled connection, in one transaction when {@code transactional}.
     *
     * @param what names the operation in error messages
     * @throws EventcoreException if the database fails; a transaction is rolled back
     */
    <R> R run(String what, boolean transactional, Work<R> work) {
        Connection c;
        try {
            c = pool.borrow();
        } catch (SQLException e) {
            throw new EventcoreException("outbox store unreachable (" + what + "): " + e.getMessage(), e);
        }
        boolean broken = false;
        try {
            if (transactional) {
                c.setAutoCommit(false);
            }
            R result = work.run(c);
            if (transactional) {
                c.commit();
            }
            return result;
        } catch (SQLException | RuntimeException e) {
            broken = true;
            if (transactional) {
                rollbackQuietly(c);
            }
            throw failure(what, e);
        } finally {
            if (!broken && transactional) {
                broken = !restoreAutoCommit(c);
            }
            pool.giveBack(c, broken);
        }
    }

    private static RuntimeException failure(String what, Exception e) {
        if (e instanceof RuntimeException re) {
            return re;
        }
        return new EventcoreException("outbox store failed (" + what + "): " + e.getMessage(), e);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is closed by giveBack
        }
    }

    private static boolean restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Nothing is held between operations: connections are given back after each. */
    @Override
    public void close() {
        pool.close();
    }
}
