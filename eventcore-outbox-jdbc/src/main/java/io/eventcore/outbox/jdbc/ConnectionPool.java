package io.eventcore.outbox.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.sql.DataSource;

/**
 * Keeps up to {@value #MAX_IDLE} of the relay's connections open between passes, so an unpooled
 * {@link DataSource} does not pay a connection per query. A connection that saw an error is closed,
 * and so are the idle ones (after a database restart they are all dead), so the next borrow reconnects.
 */
final class ConnectionPool implements AutoCloseable {
    static final int MAX_IDLE = 2;
    private final DataSource dataSource;
    private final Deque<Connection> idle = new ArrayDeque<>();
    private boolean closed;

    ConnectionPool(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Connection borrow() throws SQLException {
        synchronized (this) {
            Connection c = idle.pollFirst();
            if (c != null) {
                return c;
            }
        }
        Connection c = dataSource.getConnection();
        c.setAutoCommit(true);
        return c;
    }

    void giveBack(Connection c, boolean broken) {
        boolean keep;
        synchronized (this) {
            keep = !broken && !closed && idle.size() < MAX_IDLE;
            if (keep) {
                idle.addFirst(c);
            }
        }
        if (!keep) {
            closeQuietly(c);
        }
        if (broken) {
            evictIdle();
        }
    }

    void evictIdle() {
        Connection[] all;
        synchronized (this) {
            all = idle.toArray(Connection[]::new);
            idle.clear();
        }
        for (Connection c : all) {
            closeQuietly(c);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        evictIdle();
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already broken or closed
        }
    }
}
