package io.eventcore.outbox.jdbc;

import io.eventcore.outbox.HintChannel;
import io.eventcore.outbox.OutboxSignals;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link OutboxSignals} of the JDBC outbox: {@link JdbcOutbox} calls {@link #appended()} after appends and
 * commits, which runs the registered listeners; a PostgreSQL {@link PgHintChannel} when notifications are on.
 * Thread-safe.
 */
final class JdbcSignals implements OutboxSignals {
    private static final Logger log = LoggerFactory.getLogger(JdbcSignals.class);

    private final List<Runnable> appendListeners = new CopyOnWriteArrayList<>();
    private final Optional<HintChannel> hints;

    JdbcSignals(Optional<HintChannel> hints) {
        this.hints = hints;
    }

    @Override
    public void onAppend(Runnable listener) {
        appendListeners.add(listener);
    }

    @Override
    public void removeAppendListener(Runnable listener) {
        appendListeners.remove(listener);
    }

    @Override
    public Optional<HintChannel> hints() {
        return hints;
    }

    /** Runs the append listeners; a listener that throws is logged and the others still run. */
    void appended() {
        for (Runnable r : appendListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("outbox append listener failed", e);
            }
        }
    }
}
