package io.eventcore.outbox;

import io.eventcore.EventcoreException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Part of the {@link OutboxStore} SPI: the dead table (list, replay, purge), the purge of kept published
 * rows, and the backlog reading. The relay purges and reads the backlog periodically; operators list and
 * replay dead rows.
 *
 * <p>Implementations are thread-safe. Methods throw {@link EventcoreException} when the store is
 * unreachable.
 */
public interface OutboxAdmin {

    /**
     * @param limit the most rows to return
     * @return dead rows, oldest first
     * @throws EventcoreException if the store is unreachable
     */
    List<OutboxRecord> deadRecords(int limit);

    /**
     * Moves dead rows back to the outbox with no attempts, as the newest rows of their keys.
     *
     * @param ids ids of dead rows ({@link OutboxRecord#id()} as returned by {@link #deadRecords}); unknown
     *        ids are ignored
     * @param now current time
     * @return how many rows were moved back
     * @throws EventcoreException if the store is unreachable; nothing was moved
     */
    int replayDead(Collection<Long> ids, Instant now);

    /**
     * Deletes up to {@code limit} dead rows that died before {@code cutoff}.
     *
     * @param cutoff delete rows given up before this time (exclusive)
     * @param limit the most rows to delete in this call
     * @return how many were deleted
     * @throws EventcoreException if the store is unreachable
     */
    int purgeDead(Instant cutoff, int limit);

    /**
     * Deletes up to {@code limit} published rows kept since before {@code cutoff}. Stores that delete
     * rows when they are published return 0.
     *
     * @param cutoff delete rows published before this time (exclusive)
     * @param limit the most rows to delete in this call
     * @return how many were deleted
     * @throws EventcoreException if the store is unreachable
     */
    int purgePublished(Instant cutoff, int limit);

    /**
     * Reads the backlog without visiting every pending row: large pending counts may be estimates (see
     * {@link OutboxBacklog}).
     *
     * @return the pending and dead row counts and the oldest pending row's creation time
     * @throws EventcoreException if the store is unreachable
     */
    OutboxBacklog backlog();
}
