package io.eventcore.outbox;

import io.eventcore.EventcoreException;

/**
 * An optional capability of an {@link OutboxStore} ({@link OutboxSignals#hints()}): a channel through which
 * a relay tells relays in other processes that there may be work, for instance PostgreSQL
 * {@code NOTIFY}. The relay sends at most one hint per poll interval, never one per business transaction.
 *
 * <p>Implementations are thread-safe.
 */
public interface HintChannel {

    /**
     * Tells relays in other processes that there may be work.
     *
     * @throws EventcoreException if the store is unreachable (the relay logs it and carries on)
     */
    void hintOthers();

    /**
     * Starts listening for {@link #hintOthers() hints} from other processes, in the background. Hints sent
     * before the listener is registered with the store are not seen.
     *
     * @param listener run on each hint; it must be quick and must not throw
     * @return stops listening when closed
     */
    AutoCloseable listen(Runnable listener);
}
