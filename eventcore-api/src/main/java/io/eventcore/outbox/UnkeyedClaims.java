package io.eventcore.outbox;

import io.eventcore.EventcoreException;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * An optional capability of an {@link OutboxStore} ({@link OutboxRows#unkeyedClaims()}): rows without a
 * key are claimed outside the shards, so every relay may publish them without holding a lease, and two
 * relays never claim the same row at the same time.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface UnkeyedClaims {

    /**
     * Claims up to {@code limit} due rows without a key that no other relay has claimed, hands them
     * to {@code publish}, and settles them with its result, all while holding the claim (for instance
     * row locks taken with {@code SKIP LOCKED}).
     *
     * @param now current time
     * @param limit the most rows to claim
     * @param publish publishes the rows and says what became of them; not called when no row is due
     * @return how many rows were claimed
     * @throws EventcoreException if the store is unreachable; the claim is given up and nothing settled
     */
    int relay(Instant now, int limit, Function<List<OutboxRecord>, OutboxCompletion> publish);
}
