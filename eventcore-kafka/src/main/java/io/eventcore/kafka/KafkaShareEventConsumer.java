package io.eventcore.kafka;

import io.eventcore.routing.EventRouter;
import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.EventConsumer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes Kafka topics as a member of a <em>share group</em> (KIP-932, queues for Kafka) and dispatches every
 * record through an {@link EventRouter}: any member may take any record, more members than partitions share the
 * work, and there is <strong>no ordering</strong>, not even per key. Use it for work queues (mails, thumbnails,
 * partner calls); use {@link KafkaEventConsumer} where a key's events must be handled in order.
 *
 * <ul>
 *   <li>Explicit acknowledgement, per record: {@code SUCCEEDED}, {@code SKIPPED} and {@code DEAD_LETTERED} are
 *       accepted; a retry of a {@link io.eventcore.retry.RetryMode#REDELIVER} route is released, and the broker's
 *       delivery count is the attempt the retry policy sees; a dead letter that could not be written is released,
 *       never rejected. On the broker's last delivery ({@link KafkaShareEventConsumerBuilder#deliveryLimit}) a
 *       retry or a failed dead-letter write is repeated here instead, so the broker never archives a record
 *       unhandled. {@code IN_PLACE} routes retry within the delivery, as with {@link KafkaEventConsumer}.</li>
 *   <li>Handlers run on workers, at most {@code maxConcurrency} at once (virtual threads on JDK 21+). A record
 *       still running when half its acquisition lock has passed is renewed ({@code RENEW}), so slow handlers keep
 *       it.</li>
 *   <li>{@link #close(Duration)} acknowledges what finished and releases the rest to the other members. A JVM
 *       {@link Error} in a handler stops the consumer ({@link #health()} {@code DOWN}); its record is released.</li>
 *   <li>{@link #start()} checks that the cluster has share groups ({@code share.version} &ge; 1) and fails with a
 *       clear message when it does not; it sets the group's {@code share.isolation.level} to the client settings'
 *       isolation level ({@code read_committed} by default: aborted transactions are never handled) and its
 *       {@code share.auto.offset.reset} to {@code earliest}
 *       (a new group reads the topics from their beginning, as eventcore's consumer groups do) unless
 *       {@link KafkaShareEventConsumerBuilder#fromEarliest(boolean) fromEarliest(false)}.</li>
 * </ul>
 *
 * <p>Thread-safe lifecycle methods; {@link #start()} once, {@link #close(Duration)} any number of times.
 */
public final class KafkaShareEventConsumer implements EventConsumer {
    private static final Logger log = LoggerFactory.getLogger(KafkaShareEventConsumer.class);

    /** The consumer's settings, as the builder validated them. */
    record Settings(String groupId, List<String> topics, int maxConcurrency, Duration pollTimeout, Duration renewAfter,
            int deliveryLimit, Duration failedBackoff, Duration closeTimeout, boolean fromEarliest,
            String isolationLevel) {
    }

    private final Settings settings;
    private final Map<String, Object> props;
    private final EventRouter router;
    private final java.util.concurrent.Executor givenWorkers;
    private ShareLoop loop;
    private Thread pollThread;
    private ExecutorService ownWorkers;
    private ScheduledExecutorService timer;
    private volatile boolean started;
    private volatile boolean closed;

    KafkaShareEventConsumer(Settings settings, Map<String, Object> props, EventRouter router,
            java.util.concurrent.Executor workers) {
        this.settings = settings;
        this.props = props;
        this.router = router;
        this.givenWorkers = workers;
    }

    /** @return a new builder */
    public static KafkaShareEventConsumerBuilder builder() {
        return new KafkaShareEventConsumerBuilder();
    }

    /**
     * Checks the cluster for share groups, then joins the group and starts consuming on a thread of its own.
     *
     * @throws IllegalStateException if already started or closed, or the cluster answers that share groups are not
     *     enabled ({@code share.version} not finalized at 1 or later)
     */
    @Override
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException("start() once, before close()");
        }
        checkShareGroups();
        String group = settings.groupId();
        AtomicInteger n = new AtomicInteger();
        java.util.concurrent.Executor workers = givenWorkers;
        if (workers == null) {
            ownWorkers = Executors.newFixedThreadPool(settings.maxConcurrency(),
                    r -> daemon(r, "eventcore-share-worker-" + group + "-" + n.incrementAndGet()));
            workers = ownWorkers;
        } else if (workers instanceof VirtualWorkers own) {
            ownWorkers = own;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "eventcore-share-timer-" + group));
        ShareConsumer<byte[], byte[]> consumer = new KafkaShareConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        loop = new ShareLoop(consumer, router, workers, timer, settings);
        pollThread = daemon(loop, "eventcore-share-poll-" + group);
        started = true;
        pollThread.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Asks the cluster whether share groups are on; an unreachable cluster is logged, not fatal (it may come). */
    private void checkShareGroups() {
        try (Admin admin = Admin.create(KafkaShareEventConsumerBuilder.adminProps(props))) {
            FinalizedVersionRange share = admin.describeFeatures().featureMetadata().get(10, TimeUnit.SECONDS)
                    .finalizedFeatures().get("share.version");
            if (share == null || share.maxVersionLevel() < 1) {
                throw new IllegalStateException("share groups are not enabled on the cluster (feature share.version is "
                        + (share == null ? "not finalized" : share.maxVersionLevel()) + "): enable them with "
                        + "kafka-features.sh upgrade --feature share.version=1, or use KafkaEventConsumer");
            }
            // The isolation level of a share group is the group's: read_committed as eventcore's consumers (Kafka's
            // default is read_uncommitted); and, as theirs, a new group starts at the beginning, not at the end.
            List<AlterConfigOp> groupConfig = new java.util.ArrayList<>(List.of(new AlterConfigOp(
                    new ConfigEntry("share.isolation.level", settings.isolationLevel()), AlterConfigOp.OpType.SET)));
            if (settings.fromEarliest()) {
                groupConfig.add(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                        AlterConfigOp.OpType.SET));
            }
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, settings.groupId()),
                    groupConfig)).all().get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("share consumer {}: could not ask the cluster whether share groups are enabled within 10 s; "
                    + "starting anyway", settings.groupId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the cluster for share groups", e);
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("share consumer {}: could not ask the cluster whether share groups are enabled ({}); starting "
                    + "anyway", settings.groupId(), e.getCause().toString());
        }
    }

    /**
     * Stops polling, acknowledges what finished and releases the rest, waiting at most {@code timeout} for running
     * handlers; a handler still running then is interrupted and its record released.
     *
     * @param timeout bound of the whole close
     */
    @Override
    public void close(Duration timeout) {
        Thread poll;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            poll = pollThread;
        }
        if (poll == null) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        loop.stop();
        try {
            poll.join(Math.max(1, timeout.toMillis()));
            timer.shutdownNow();
            if (ownWorkers != null) {
                ownWorkers.shutdown();
                long left = Math.max(0, deadline - System.nanoTime());
                if (!ownWorkers.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    ownWorkers.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return {@code DOWN} after a fatal error, {@code STOPPED} before start and after close,
     *     {@code DISCONNECTED} when no broker has been reachable for 10 s, else {@code UP} with the records in
     *     flight and acknowledged so far
     */
    @Override
    public ConsumerHealth health() {
        ShareLoop l = loop;
        if (l != null && l.fatal() != null) {
            return new ConsumerHealth(ConsumerHealth.Status.DOWN, "stopped by a fatal error: " + l.fatal());
        }
        if (l == null || closed || !pollThread.isAlive()) {
            return new ConsumerHealth(ConsumerHealth.Status.STOPPED, "not running");
        }
        ConsumerHealth away = l.disconnected();
        return away != null ? away : new ConsumerHealth(ConsumerHealth.Status.UP,
                "sharing: " + l.inFlight() + " in flight, " + l.acknowledged() + " acknowledged");
    }

    @Override
    public String toString() {
        return "KafkaShareEventConsumer[group=" + settings.groupId() + ", topics=" + settings.topics() + ", config="
                + KafkaConfig.masked(props) + "]";
    }
}
