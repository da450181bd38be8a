package io.eventcore.test;

import io.eventcore.Clock;
import io.eventcore.inbox.InboxStore;
import io.eventcore.internal.Checks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link InboxStore} in memory, for unit tests of inbox handlers. Its transaction is an
 * {@link Effects} buffer: what the work writes to it becomes visible in {@link #effects()} only
 * when the work returns, like a database commit; a failing work leaves nothing behind. Deliveries
 * of the same (group, event id) are serialised, as a unique key would serialise them.
 *
 * <p>Thread-safe.
 */
public final class InMemoryInboxStore implements InboxStore<InMemoryInboxStore.Effects> {
    private final Clock clock;
    private final Map<String, Instant> processed = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final List<String> effects = new CopyOnWriteArrayList<>();

    /** A store timed by the system clock. */
    public InMemoryInboxStore() {
        this(Clock.system());
    }

    /**
     * @param clock when records are made (a {@link ManualClock} in purge tests)
     */
    public InMemoryInboxStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What a work writes in its transaction; visible in {@link #effects()} after it commits. */
    public static final class Effects {
        private final List<String> pending = new ArrayList<>();

        private Effects() {
        }

        /**
         * @param effect one effect, e.g. a business row's key
         */
        public void write(String effect) {
            pending.add(Objects.requireNonNull(effect, "effect"));
        }
    }

    @Override
    public boolean processOnce(String consumerGroup, String eventId, Work<Effects> work) throws Exception {
        String key = Checks.notBlank("consumerGroup", consumerGroup) + '\u0000' + Checks.notBlank("eventId", eventId);
        Objects.requireNonNull(work, "work");
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            if (processed.containsKey(key)) {
                return false;
            }
            Effects tx = new Effects();
            work.run(tx);
            processed.put(key, clock.now());
            effects.addAll(tx.pending);
            return true;
        }
    }

    @Override
    public int purgeProcessedBefore(Instant cutoff, int limit) {
        Checks.atLeast("limit", limit, 1);
        int deleted = 0;
        for (Iterator<Map.Entry<String, Instant>> it = processed.entrySet().iterator(); it.hasNext() && deleted < limit;) {
            if (it.next().getValue().isBefore(cutoff)) {
                it.remove();
                deleted++;
            }
        }
        return deleted;
    }

    /** @return every committed effect, in commit order */
    public List<String> effects() {
        return List.copyOf(effects);
    }

    /** @return how many (group, event id) pairs are recorded */
    public int size() {
        return processed.size();
    }
}
