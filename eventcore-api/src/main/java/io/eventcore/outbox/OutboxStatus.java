package io.eventcore.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot of an outbox relay, for health checks and dashboards.
 *
 * @param relayId this relay's id
 * @param running whether the relay thread is running
 * @param shards the shards this relay holds leases for
 * @param published rows published since start
 * @param retried failed publish attempts that were scheduled for a retry
 * @param dead rows moved to the dead table
 * @param fenceRejections batches whose settlement was rejected because another relay had taken the shard over
 * @param lastPublishAt when a row was last published, {@code null} if never
 * @param lastError the last error of the relay loop (store or broker unreachable), or that the running pass has
 *     waited longer than {@link #STUCK_AFTER}; {@code null} after a clean pass
 */
public record OutboxStatus(String relayId, boolean running, List<Integer> shards, long published, long retried,
        long dead, long fenceRejections, Instant lastPublishAt, String lastError) {

    /**
     * How long a relay pass may run before the status reports it as waiting for the broker or the database
     * ({@code lastError} set, so not {@link #healthy()}): {@value #STUCK_AFTER_SECONDS} s.
     */
    public static final Duration STUCK_AFTER = Duration.ofSeconds(OutboxStatus.STUCK_AFTER_SECONDS);
    /** {@link #STUCK_AFTER} in seconds. */
    public static final int STUCK_AFTER_SECONDS = 10;

    /**
     * Copies the shard list.
     *
     * @param relayId this relay's id
     * @param running whether the relay thread is running
     * @param shards the shards this relay holds leases for
     * @param published rows published since start
     * @param retried failed publish attempts that were scheduled for a retry
     * @param dead rows moved to the dead table
     * @param fenceRejections batches whose settlement was rejected because another relay had taken the shard over
     * @param lastPublishAt when a row was last published, {@code null} if never
     * @param lastError the last error of the relay loop (store or broker unreachable), {@code null} after a clean pass
     */
    public OutboxStatus {
        shards = List.copyOf(shards);
    }

    /** @return whether the relay is running and its last pass succeeded */
    public boolean healthy() {
        return running && lastError == null;
    }
}
