package io.eventcore.transport;

/**
 * How a consumer orders the processing of messages it has fetched.
 */
public enum Ordering {
    /** One message at a time per partition: strict partition order, parallelism = partitions. */
    PARTITION,
    /**
     * One message at a time per key, different keys in parallel (up to the consumer's
     * {@code maxConcurrency}): per-key order, parallelism beyond the partition count. The default.
     * Messages without a key are processed without ordering.
     */
    KEY,
    /** No ordering: every message may run in parallel with any other. */
    UNORDERED
}
