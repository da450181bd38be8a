package io.eventcore.outbox;

import java.util.Optional;

/**
 * Part of the {@link OutboxStore} SPI: wake-up signals that let a relay publish right after an append
 * instead of at its next poll. Signals are hints only: a relay that misses one still finds the rows when it
 * polls (see {@link OutboxPublisher.Builder#maxPollInterval}).
 *
 * <p>Implementations are thread-safe.
 */
public interface OutboxSignals {

    /**
     * Registers a callback run after events were appended (and, where the store can tell, committed)
     * through this process's outbox, so a local relay can wake up at once. The default registers nothing:
     * for stores that cannot tell when appends happen, the relay relies on polling.
     *
     * @param listener the callback; it must be quick and must not throw
     */
    default void onAppend(Runnable listener) {
    }

    /**
     * Unregisters a callback registered with {@link #onAppend}; a relay calls it when it closes. Unknown
     * listeners are ignored. The default does nothing: a store that keeps its listeners keeps, per closed
     * relay, one small callback that no longer refers to the relay and does nothing.
     *
     * @param listener the callback given to {@link #onAppend}
     */
    default void removeAppendListener(Runnable listener) {
    }

    /**
     * The optional capability to hint relays in other processes (for instance PostgreSQL
     * {@code LISTEN/NOTIFY}).
     *
     * @return the channel, or empty when the store has none (the default)
     */
    default Optional<HintChannel> hints() {
        return Optional.empty();
    }
}
