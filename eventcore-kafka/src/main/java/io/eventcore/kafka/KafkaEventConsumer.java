package io.eventcore.kafka;

import io.eventcore.internal.Checks;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.Ordering;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Consumes Kafka topics and dispatches every record through an {@link EventRouter}.
 *
 * <ul>
 *   <li>One poll thread owns the {@link KafkaConsumer} (it is not thread-safe). Records arrive as
 *       raw bytes; decoding and handlers run on workers, never on the poll thread.</li>
 *   <li>Ordering ({@link Ordering}): {@code KEY} (default) runs one record per key at a time and
 *       different keys in parallel, beyond the partition count; {@code PARTITION} one record per
 *       partition; {@code UNORDERED} no ordering.</li>
 *   <li>Only the highest contiguous completed offset of each partition is committed (async every
 *       {@code commitInterval}, sync on revoke and close), so no record is ever skipped.</li>
 *   <li>Back-pressure: a partition with {@code maxInFlightPerPartition} records in flight, or all
 *       partitions once {@code maxInFlight} is reached, are paused until work completes.</li>
 *   <li>{@code FAILED} outcomes (dead-letter sink down, no sink) pause the partition and are
 *       retried with back-off on a timer; the offset is not committed meanwhile.</li>
 *   <li>{@code RETRY_LATER} ({@link io.eventcore.retry.RetryMode#REDELIVER} routes only) stores a
 *       copy in this group's retry topic ({@link #defaultRetryTopic}), which the consumer reads
 *       back at its due time by pausing the partition, never sleeping. The copy is handled with the
 *       original's position and id; exhausted, it is dead-lettered as the original.</li>
 *   <li>On revoke, in-flight work of the lost partitions is drained within {@code drainTimeout}
 *       and committed; results arriving later are discarded (the new owner redelivers).</li>
 *   <li>A handler's JVM {@link Error} stops the consumer without committing past the record;
 *       {@link #health()} then reports {@code DOWN}.</li>
 * </ul>
 *
 * <p>The consumer's properties are, in this order: eventcore's defaults
 * ({@code auto.offset.reset=earliest}; cooperative-sticky assignment with the classic group
 * protocol, none with {@code group.protocol=consumer}, KIP-848, where the broker assigns), the
 * {@link KafkaClientSettings}, the builder's own {@link KafkaEventConsumerBuilder#properties(Map) properties}, and
 * finally {@code group.id} and {@code enable.auto.commit=false}. The retry-topic producer gets the
 * client settings too, so security is configured once.
 *
 * <p>Thread-safe lifecycle methods; {@link #start()} once, {@link #close(Duration)} any number of times.
 */
public final class KafkaEventConsumer implements EventConsumer {
    private final ConsumerRuntime runtime;
    private final Map<String, Object> maskedConfig;

    KafkaEventConsumer(ConsumerRuntime runtime, Map<String, Object> consumerProps) {
        this.runtime = runtime;
        this.maskedConfig = KafkaConfig.masked(consumerProps);
    }

    /** @return a new builder */
    public static KafkaEventConsumerBuilder builder() {
        return new KafkaEventConsumerBuilder();
    }

    /**
     * The default retry topic of a topic for a group: {@code <topic>.<group>.retry}, characters
     * Kafka does not allow replaced by {@code _}; over Kafka's 249 characters it is cut and keeps a
     * hash of the full name ({@code <prefix>.<16 hex digits>.retry}). Create retry topics with it.
     *
     * @param topic a consumed topic
     * @param groupId the consumer group
     * @return the retry topic name
     */
    public static String defaultRetryTopic(String topic, String groupId) {
        return RetryTopics.defaultName(Checks.notBlank("topic", topic), Checks.notBlank("groupId", groupId));
    }

    /**
     * Starts the poll thread; it subscribes and consumes until {@link #close(Duration)}.
     *
     * @throws IllegalStateException if already started or closed
     */
    @Override
    public void start() {
        runtime.start();
    }

    /**
     * Closes within {@code timeout} in total: stops polling, drains in-flight work once (for at
     * most the drain timeout), commits, stops the poll thread, then returns. Work still running at
     * the bound is interrupted and is neither committed nor dead-lettered (the next owner
     * redelivers it). Later calls return at once.
     *
     * @param timeout the bound of the whole close
     */
    @Override
    public void close(Duration timeout) {
        runtime.close(timeout);
    }

    /**
     * @return {@code DOWN} with the cause after a fatal error, {@code STOPPED} when not running,
     *     {@code STALLED} naming the partitions whose lowest uncommitted offset has not moved for the
     *     stall timeout (even while later records flow), else {@code UP}; the detail names records
     *     that keep failing and block their partition, and why
     */
    @Override
    public ConsumerHealth health() {
        return runtime.health();
    }

    /** @return the consumer's properties, secret values replaced by {@code [hidden]} */
    @Override
    public String toString() {
        return "KafkaEventConsumer" + maskedConfig;
    }
}
