package io.eventcore.outbox.jdbc;

import io.eventcore.outbox.HintChannel;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * A {@link HintChannel} over PostgreSQL {@code LISTEN/NOTIFY} on a channel named after the outbox table.
 * Hints are sent on the relay's pooled connections; each listener gets a dedicated connection
 * ({@link PgHintListener}). Thread-safe.
 */
final class PgHintChannel implements HintChannel {
    private final JdbcRunner db;
    private final DataSource dataSource;
    private final String channel;

    /**
     * @param channel a plain SQL identifier (the validated table name with {@code _} for {@code .})
     */
    PgHintChannel(JdbcRunner db, DataSource dataSource, String channel) {
        this.db = db;
        this.dataSource = dataSource;
        this.channel = channel;
    }

    @Override
    public void hintOthers() {
        db.run("notify", false, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("NOTIFY " + channel);
            }
            return null;
        });
    }

    @Override
    public AutoCloseable listen(Runnable listener) {
        PgHintListener hints = new PgHintListener(dataSource, channel, listener);
        hints.start();
        return hints;
    }
}
