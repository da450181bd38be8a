package io.eventcore.outbox.jdbc;

import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a PostgreSQL channel with a dedicated connection and wakes the relay on every
 * notification. Reconnects after errors, backing off up to 5 seconds. Only loaded when hints are
 * enabled, so pgjdbc is needed only then.
 */
final class PgHintListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PgHintListener.class);
    private final DataSource dataSource;
    private final String channel;
    private final Runnable listener;
    private final Thread thread;
    private volatile boolean stopped;

    PgHintListener(DataSource dataSource, String channel, Runnable listener) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.listener = listener;
        this.thread = new Thread(this::run, "eventcore-outbox-listen-" + channel);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long backoff = 100;
        while (!stopped) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + channel);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                backoff = 100;
                while (!stopped) {
                    PGNotification[] notes = pg.getNotifications(500);
                    if (notes != null && notes.length > 0) {
                        listener.run();
                    }
                }
            } catch (Exception e) {
                if (stopped) {
                    return;
                }
                log.debug("LISTEN {} failed; reconnecting in {} ms", channel, backoff, e);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}
