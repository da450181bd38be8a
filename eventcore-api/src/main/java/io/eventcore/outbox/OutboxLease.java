package io.eventcore.outbox;

import java.time.Instant;

/**
 * A relay's claim on one shard of the outbox. Only the holder of the current fence may settle
 * rows of the shard: when another relay takes an expired lease over, the fence goes up and every
 * settlement under the old fence is rejected.
 *
 * @param shard the shard number, {@code 0 <= shard < shardCount}
 * @param owner the relay id holding it
 * @param fence the fencing counter, incremented on every change of owner
 * @param until when the lease expires unless renewed
 */
public record OutboxLease(int shard, String owner, long fence, Instant until) {
}
