package io.eventcore.transport;

/**
 * Receives a consumer runtime's measurements: per-partition lag, back-pressure and failures.
 * eventcore ships {@link #noop()} and {@link io.eventcore.micrometer.MicrometerMetrics MicrometerMetrics};
 * hosts may implement their own.
 *
 * <p>Every method is a no-op by default, so an implementation overrides only what it records.
 * Implementations must be thread-safe and fast; they are called from the consumer's poll thread.
 * An exception thrown from any method is logged and otherwise ignored: metrics never break
 * processing.
 */
public interface ConsumerMetrics {

    /**
     * The lag of an owned partition, measured about once per commit interval.
     *
     * @param group the consumer group
     * @param topic the topic
     * @param partition the partition
     * @param lag end offset minus committed offset, &gt;= 0
     */
    default void partitionLag(String group, String topic, int partition, long lag) {
    }

    /**
     * The back-pressure state of an owned partition, reported when it changes.
     *
     * @param group the consumer group
     * @param topic the topic
     * @param partition the partition
     * @param paused whether fetching from it is paused (too much in flight, a blocking record, or a
     *     retry record not yet due)
     */
    default void partitionPaused(String group, String topic, int partition, boolean paused) {
    }

    /**
     * Records in flight across the consumer's partitions, measured once per poll.
     *
     * @param group the consumer group
     * @param records records handed to workers and not yet settled
     */
    default void inFlight(String group, int records) {
    }

    /**
     * A record failed a round (a {@code FAILED} outcome, or an exception on its path) and will be
     * retried after a back-off; it is not acknowledged meanwhile.
     *
     * @param group the consumer group
     * @param topic the topic
     * @param partition the partition
     * @param exceptionClass simple name of the failure's class
     */
    default void recordFailed(String group, String topic, int partition, String exceptionClass) {
    }

    /**
     * The consumer no longer owns a partition: its partition meters may be removed.
     *
     * @param group the consumer group
     * @param topic the topic
     * @param partition the partition
     */
    default void partitionReleased(String group, String topic, int partition) {
    }

    /** @return metrics that record nothing (the default) */
    static ConsumerMetrics noop() {
        return new ConsumerMetrics() {
        };
    }
}
